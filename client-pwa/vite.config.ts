import { defineConfig } from 'vitest/config';
import { VitePWA } from 'vite-plugin-pwa';
import pkg from './package.json';

// The server serves this build under /app/ (see sync-protocol / architecture docs).
export default defineConfig({
  base: '/app/',
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2020' },
  define: { __APP_VERSION__: JSON.stringify(pkg.version) },
  plugins: [
    VitePWA({
      // 'prompt': a new service worker waits until the user accepts, so an update can
      // never interrupt a running sync (the app only reloads when sync is idle).
      registerType: 'prompt',
      injectRegister: false,
      manifest: {
        name: '社区工作室',
        short_name: '工作室',
        lang: 'zh-CN',
        start_url: '/app/',
        scope: '/app/',
        display: 'standalone',
        background_color: '#ffffff',
        theme_color: '#1f5fa8',
        icons: [{ src: 'icon.svg', sizes: 'any', type: 'image/svg+xml', purpose: 'any' }],
      },
      workbox: {
        // Precache names carry the build's revision hashes, so each deploy replaces the shell.
        globPatterns: ['**/*.{js,css,html}'],
        navigateFallback: '/app/index.html',
        navigateFallbackDenylist: [/^\/api\//],
        cleanupOutdatedCaches: true,
        // The API is never cached by the service worker: records live in IndexedDB only.
        runtimeCaching: [],
      },
    }),
  ],
  test: {
    environment: 'node',
    setupFiles: ['test/setup.ts'],
    include: ['test/**/*.test.ts'],
  },
});
