import { render } from 'preact';
import { registerSW } from 'virtual:pwa-register';
import { app } from './controller';
import { App } from './views/App';
import './style.css';

render(<App />, document.getElementById('app')!);
void app.start();

if ('serviceWorker' in navigator) {
  const updateSW = registerSW({
    // A new build waits until the user accepts; the banner refuses while a sync runs.
    onNeedRefresh() {
      app.updateReady = (reload?: boolean) => updateSW(reload);
      app.notify();
    },
  });
}
