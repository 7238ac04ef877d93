import { useState } from 'preact/hooks';
import { account } from '../account';
import { clockOffsetMs, clockSkewMinutes } from '../clock';
import { authExpired, online } from '../connection';
import { t } from '../i18n';
import { logout as logOut, unsyncedCount } from '../login';
import { pendingCount } from '../outbox';
import { isSyncing } from '../sync';
import { syncState } from '../syncControl';
import { applyUpdate, updateWaiting } from '../update';
import { Cases } from './Cases';
import { Login } from './Login';
import { SyncView } from './SyncView';
import { Today } from './Today';
import { VisitView } from './VisitView';
import { useLive, useValue } from './hooks';

type Tab = 'today' | 'visit' | 'cases' | 'sync';
const TABS: Tab[] = ['today', 'visit', 'cases', 'sync'];

function UpdateBanner() {
  const waiting = useValue(updateWaiting);
  // Never swap the app out from under a running sync (applyUpdate refuses too).
  const syncing = isSyncing(useValue(syncState));
  if (!waiting) return null;
  return (
    <div class="banner" role="status">
      {t('update.ready')}{' '}
      <button type="button" onClick={applyUpdate} disabled={syncing}>
        {syncing ? t('update.waitSync') : t('update.apply')}
      </button>
    </div>
  );
}

export function App() {
  const current = useValue(account);
  const expired = useValue(authExpired);
  const isOnline = useValue(online);
  const skew = clockSkewMinutes(useValue(clockOffsetMs));
  const [tab, setTab] = useState<Tab>('today');
  const [caseId, setCaseId] = useState<string | null>(null);
  const db = current?.db ?? null;
  const pending = useLive(() => (db ? pendingCount(db) : Promise.resolve(0)), [db], 0);

  if (!current || expired) {
    return (
      <main>
        <UpdateBanner />
        <Login username={current?.session.username} />
      </main>
    );
  }

  async function logout() {
    const unsynced = await unsyncedCount();
    if (unsynced > 0 && !window.confirm(t('logout.confirm', { n: unsynced }))) return;
    await logOut();
  }

  const openCase = (id: string) => {
    setCaseId(id);
    setTab('cases');
  };
  return (
    <main>
      <header>
        <strong>{t('app.title')}</strong>
        <span class={isOnline ? 'ok' : 'warn'} data-testid="net">{isOnline ? t('online') : t('offline')}</span>
        <bdi data-testid="user">{current.session.user.name}</bdi>
        <button type="button" onClick={() => void logout()}>{t('logout')}</button>
      </header>
      <UpdateBanner />
      {skew !== 0 && <div class="banner warn">{t('clock.warning', { min: Math.abs(skew) })}</div>}
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
