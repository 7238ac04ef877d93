import { render } from 'preact';
import { registerSW } from 'virtual:pwa-register';
import { online } from './connection';
import { resumeSession } from './login';
import { syncAutomatically } from './syncControl';
import { offerUpdate } from './update';
import { App } from './views/App';
import './style.css';

render(<App />, document.getElementById('app')!);

window.addEventListener('online', () => {
  online.set(true);
  void syncAutomatically();
});
window.addEventListener('offline', () => online.set(false));
void resumeSession();

if ('serviceWorker' in navigator) {
  const updateSW = registerSW({
    // A new build waits until the user accepts; the banner refuses while a sync runs.
    onNeedRefresh() {
      offerUpdate((reload?: boolean) => updateSW(reload));
    },
  });
}
