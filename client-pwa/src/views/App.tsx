import { useState } from 'preact/hooks';
import { app } from '../controller';
import { t } from '../i18n';
import { pendingCount } from '../outbox';
import { Cases } from './Cases';
import { Login } from './Login';
import { SyncView } from './SyncView';
import { Today } from './Today';
import { VisitView } from './VisitView';
import { useApp, useLive } from './hooks';

type Tab = 'today' | 'visit' | 'cases' | 'sync';
const TABS: Tab[] = ['today', 'visit', 'cases', 'sync'];

function UpdateBanner() {
  if (!app.updateReady) return null;
  const apply = () => {
    // Never swap the app out from under a running sync.
    if (!app.syncing) void app.updateReady?.(true);
  };
  return (
    <div class="banner" role="status">
      {t('update.ready')}{' '}
      <button type="button" onClick={apply} disabled={app.syncing}>
        {app.syncing ? t('update.waitSync') : t('update.apply')}
      </button>
    </div>
  );
}

export function App() {
  useApp();
  const [tab, setTab] = useState<Tab>('today');
  const [caseId, setCaseId] = useState<string | null>(null);
  const pending = useLive(() => (app.db ? pendingCount(app.db) : Promise.resolve(0)), [app.db], 0);

  if (!app.session || app.authExpired) {
    return (
      <main>
        <UpdateBanner />
        <Login username={app.session?.username} />
      </main>
    );
  }

  async function logout() {
    const unsynced = await app.unsyncedCount();
    if (unsynced > 0 && !window.confirm(t('logout.confirm', { n: unsynced }))) return;
    await app.logout();
  }

  const openCase = (id: string) => {
    setCaseId(id);
    setTab('cases');
  };
  return (
    <main>
      <header>
        <strong>{t('app.title')}</strong>
        <span class={app.online ? 'ok' : 'warn'} data-testid="net">{app.online ? t('online') : t('offline')}</span>
        <bdi data-testid="user">{app.session.user.name}</bdi>
        <button type="button" onClick={() => void logout()}>{t('logout')}</button>
      </header>
      <UpdateBanner />
      {app.clockSkewMinutes !== 0 && <div class="banner warn">{t('clock.warning', { min: Math.abs(app.clockSkewMinutes) })}</div>}
      <div class="content">
        {tab === 'today' && <Today openCase={openCase} />}
        {tab === 'visit' && <VisitView openCase={openCase} />}
        {tab === 'cases' && <Cases openId={caseId} setOpenId={setCaseId} />}
        {tab === 'sync' && <SyncView />}
      </div>
      <nav>
        {TABS.map((name) => (
          <button
            key={name}
            type="button"
            data-tab={name}
            class={tab === name ? 'active' : ''}
            onClick={() => {
              setTab(name);
              if (name === 'cases') setCaseId(null);
            }}
          >
            {t(`nav.${name}`)}
            {name === 'sync' && pending > 0 ? <span class="badge">{pending}</span> : null}
          </button>
        ))}
      </nav>
    </main>
  );
}
