import { useEffect, useState } from 'preact/hooks';
import { app } from '../controller';
import { META, getMeta, type OverriddenEntry, type RejectedEntry } from '../db';
import { t } from '../i18n';
import { pendingCount } from '../outbox';
import { formatDateTime } from '../time';
import type { ConflictEntry } from '../types';
import { fieldLabel } from '../present';
import { FieldList, optionLabel, Sentence } from './common';
import { RecordForm } from './RecordForm';
import { useApp, useLive, useTick } from './hooks';

function phaseText(now: number): string {
  const s = app.syncState;
  if (!s) return '';
  switch (s.phase) {
    case 'uploading':
      return t('sync.phase.uploading', { done: s.blobsDone, total: s.blobsTotal });
    case 'waiting_retry':
      return t('sync.phase.waiting_retry', {
        error: s.lastError ?? '',
        sec: Math.max(0, Math.round(((s.retryAt ?? now) - now) / 1000)),
      });
    default:
      return t(`sync.phase.${s.phase}`);
  }
}

function Rejected(props: { entry: RejectedEntry }) {
  const [fixing, setFixing] = useState(false);
  const { entry } = props;
  const m = entry.mutation;
  const spec = app.kindSpec(m.kind);
  // The server's Chinese message only, with the field's label unless it already names
  // it; the error's code and the field's wire name are for machines.
  const label = fieldLabel(spec, entry.error.field);
  const named = label && !entry.error.message.includes(label) ? t('sync.reasonField', { label }) : '';
  return (
    <li class="rejected" data-mutation-id={entry.id}>
      <div>
        <span class="tag">{app.kindLabel(m.kind)}</span> {formatDateTime(entry.rejected_at)}
      </div>
      <div class="error" data-testid="rejected-reason">
        <Sentence msg="sync.reason" params={{ message: entry.error.message, field: named }} />
      </div>
      <FieldList kind={m.kind} fields={m.fields} />
      {entry.resent_as ? (
        <span class="ok">{t('sync.resent')}</span>
      ) : fixing && spec ? (
        <RecordForm
          spec={spec}
          initial={m.fields}
          communityId={m.community_id}
          creating={m.base_version === 0}
          submitLabel={t('sync.fix')}
          onCancel={() => setFixing(false)}
          onSubmit={async (fields) => {
            // The server needs the whole creating set again if the record never landed.
            const resend = m.base_version === 0 ? { ...m.fields, ...fields } : { ...fields };
            await app.resend(entry, Object.keys(resend).length ? resend : m.fields);
            setFixing(false);
          }}
        />
      ) : (
        <button type="button" onClick={() => setFixing(true)}>{t('sync.fix')}</button>
      )}
    </li>
  );
}

function ServerConflicts() {
  const [list, setList] = useState<ConflictEntry[] | null>(null);
  useEffect(() => {
    if (!app.online) return;
    // Only squad leaders and the bureau may read the conflict log; a liaison's 403 is
    // expected and simply leaves the device's own observations below.
    app.api.conflicts().then(
      (r) => setList(r.conflicts.filter((c) => c.loser.user_id === app.session?.user.id)),
      () => setList(null),
    );
  }, []);
  if (!list || list.length === 0) return null;
  return (
    <ul class="list">
      {list.map((c) => (
        <li key={c.id}>
          <Sentence msg="sync.conflictLine" params={{
            kind: app.kindLabel(c.kind),
            field: fieldLabel(app.kindSpec(c.kind), c.field) ?? '',
            winner: optionLabel(c.kind, c.field, c.winner.value),
            loser: optionLabel(c.kind, c.field, c.loser.value),
          }} />
        </li>
      ))}
    </ul>
  );
}

function Overridden() {
  const list = useLive(
    () => (app.db ? app.db.overridden.orderBy('seen_at').reverse().limit(50).toArray() : Promise.resolve([])),
    [app.db],
    [] as OverriddenEntry[],
  );
  return (
    <>
      {list.length === 0 && <p>{t('sync.noConflicts')}</p>}
      <ul class="list" data-testid="overridden">
        {list.map((o) => (
          <li key={o.id}>
            <Sentence msg="sync.conflictLine" params={{
              kind: app.kindLabel(o.kind),
              field: fieldLabel(app.kindSpec(o.kind), o.field) ?? '',
              winner: optionLabel(o.kind, o.field, o.theirs),
              loser: optionLabel(o.kind, o.field, o.mine),
            }} />
          </li>
        ))}
      </ul>
      <ServerConflicts />
    </>
  );
}

function bytes(n: number): string {
  return n > 1e6 ? `${(n / 1e6).toFixed(1)} MB` : `${Math.round(n / 1e3)} KB`;
}

export function SyncView() {
  useApp();
  const now = useTick(1000);
  const pending = useLive<number | null>(() => (app.db ? pendingCount(app.db) : Promise.resolve(0)), [app.db], null);
  const lastSync = useLive(() => (app.db ? getMeta<number>(app.db, META.lastSyncAt) : Promise.resolve(undefined)), [app.db], undefined as number | undefined);
  const rejected = useLive(
    () => (app.db ? app.db.rejected.orderBy('rejected_at').reverse().toArray() : Promise.resolve([])),
    [app.db],
    [] as RejectedEntry[],
  );
  const [usage, setUsage] = useState<number | null>(null);
  useEffect(() => {
    void navigator.storage?.estimate?.().then((e) => setUsage(e.usage ?? null));
    if (app.persisted === null) void navigator.storage?.persisted?.().then((p) => { app.persisted = p; app.notify(); });
  }, [pending]);

  async function exportFile() {
    const blob = await app.exportUnsynced();
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = `workroom-unsynced-${Date.now()}.json`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
  }

  const persistState = app.persisted === null ? 'unknown' : app.persisted ? 'yes' : 'no';
  return (
    <section>
      <div class="card">
        {pending !== null && <p data-testid="pending-count">{t('sync.pending', { n: pending })}</p>}
        <p data-testid="last-sync" data-ms={lastSync ?? 0}>{lastSync ? t('sync.last', { time: formatDateTime(lastSync) }) : t('sync.never')}</p>
        <p data-testid="sync-phase">{phaseText(now)}</p>
        <button type="button" class="primary" data-testid="sync-now" onClick={() => void app.syncNow()}>{t('sync.now')}</button>
      </div>
      <h2>{t('sync.rejected')}</h2>
      {rejected.length === 0 && <p>{t('sync.noRejected')}</p>}
      <ul class="list">
        {rejected.map((r) => (
          <Rejected key={r.id} entry={r} />
        ))}
      </ul>
      <h2>{t('sync.conflicts')}</h2>
      <Overridden />
      <div class="card">
        {usage !== null && <p>{t('sync.storage', { used: bytes(usage) })}</p>}
        <p>{t('sync.persisted', { state: t(`sync.persist.${persistState}`) })}</p>
        <button type="button" onClick={() => void exportFile()}>{t('sync.export')}</button>
      </div>
    </section>
  );
}
