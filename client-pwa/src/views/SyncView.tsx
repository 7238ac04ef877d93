import { useEffect, useState } from 'preact/hooks';
import { account, currentUserId } from '../account';
import { api, online } from '../connection';
import { META, getMeta, type OverriddenEntry, type RejectedEntry, type WorkroomDb } from '../db';
import { resend } from '../edits';
import { t } from '../i18n';
import { pendingCount } from '../outbox';
import { kindLabel, kindSpec, profile } from '../profile';
import { checkPersistence, persisted, storageUsage } from '../storage';
import { syncNow, syncState } from '../syncControl';
import { syncStatusText } from '../syncStatus';
import { formatDateTime } from '../time';
import type { ConflictEntry } from '../types';
import { exportUnsynced } from '../unsyncedExport';
import { fieldLabel } from '../present';
import { FieldList, optionLabel, Sentence } from './common';
import { RecordForm } from './RecordForm';
import { useLive, useTick, useValue } from './hooks';

function Rejected(props: { entry: RejectedEntry }) {
  const [fixing, setFixing] = useState(false);
  const { entry } = props;
  const m = entry.mutation;
  const spec = kindSpec(m.kind);
  // The server's Chinese message only, with the field's label unless it already names
  // it; the error's code and the field's wire name are for machines.
  const label = fieldLabel(spec, entry.error.field);
  const named = label && !entry.error.message.includes(label) ? t('sync.reasonField', { label }) : '';
  return (
    <li class="rejected" data-mutation-id={entry.id}>
      <div>
        <span class="tag">{kindLabel(m.kind)}</span> {formatDateTime(entry.rejected_at)}
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
            const changed = m.base_version === 0 ? { ...m.fields, ...fields } : { ...fields };
            await resend(entry, Object.keys(changed).length ? changed : m.fields);
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
    if (!online.get()) return;
    // Only squad leaders and the bureau may read the conflict log; a liaison's 403 is
    // expected and simply leaves the device's own observations below.
    api.conflicts().then(
      (r) => setList(r.conflicts.filter((c) => c.loser.user_id === currentUserId())),
      () => setList(null),
    );
  }, []);
  if (!list || list.length === 0) return null;
  return (
    <ul class="list">
      {list.map((c) => (
        <li key={c.id}>
          <Sentence msg="sync.conflictLine" params={{
            kind: kindLabel(c.kind),
            field: fieldLabel(kindSpec(c.kind), c.field) ?? '',
            winner: optionLabel(c.kind, c.field, c.winner.value),
            loser: optionLabel(c.kind, c.field, c.loser.value),
          }} />
        </li>
      ))}
    </ul>
  );
}

function Overridden(props: { db: WorkroomDb | null }) {
  const { db } = props;
  const list = useLive(
    () => (db ? db.overridden.orderBy('seen_at').reverse().limit(50).toArray() : Promise.resolve([])),
    [db],
    [] as OverriddenEntry[],
  );
  return (
    <>
      {list.length === 0 && <p>{t('sync.noConflicts')}</p>}
      <ul class="list" data-testid="overridden">
        {list.map((o) => (
          <li key={o.id}>
            <Sentence msg="sync.conflictLine" params={{
              kind: kindLabel(o.kind),
              field: fieldLabel(kindSpec(o.kind), o.field) ?? '',
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
  const current = useValue(account);
  const state = useValue(syncState);
  useValue(profile); // kind and field labels come from the schema
  const isPersisted = useValue(persisted);
  const now = useTick(1000);
  const db = current?.db ?? null;
  const pending = useLive<number | null>(() => (db ? pendingCount(db) : Promise.resolve(0)), [db], null);
  const lastSync = useLive(() => (db ? getMeta<number>(db, META.lastSyncAt) : Promise.resolve(undefined)), [db], undefined as number | undefined);
  const rejected = useLive(
    () => (db ? db.rejected.orderBy('rejected_at').reverse().toArray() : Promise.resolve([])),
    [db],
    [] as RejectedEntry[],
  );
  const [usage, setUsage] = useState<number | null>(null);
  useEffect(() => {
    void storageUsage().then(setUsage);
    void checkPersistence();
  }, [pending]);

  async function exportFile() {
    const blob = await exportUnsynced(current);
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = `workroom-unsynced-${Date.now()}.json`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
  }

  const persistState = isPersisted === null ? 'unknown' : isPersisted ? 'yes' : 'no';
  return (
    <section>
      <div class="card">
        {pending !== null && <p data-testid="pending-count">{t('sync.pending', { n: pending })}</p>}
        <p data-testid="last-sync" data-ms={lastSync ?? 0}>{lastSync ? t('sync.last', { time: formatDateTime(lastSync) }) : t('sync.never')}</p>
        <p data-testid="sync-phase" data-phase={state?.phase} class={state?.phase === 'stopped' ? 'warn' : ''}>
          {syncStatusText(state, now)}
        </p>
        <button type="button" class="primary" data-testid="sync-now" onClick={() => void syncNow()}>{t('sync.now')}</button>
      </div>
      <h2>{t('sync.rejected')}</h2>
      {rejected.length === 0 && <p>{t('sync.noRejected')}</p>}
      <ul class="list">
        {rejected.map((r) => (
          <Rejected key={r.id} entry={r} />
        ))}
      </ul>
      <h2>{t('sync.conflicts')}</h2>
      <Overridden db={db} />
      <div class="card">
        {usage !== null && <p>{t('sync.storage', { used: bytes(usage) })}</p>}
        <p>{t('sync.persisted', { state: t(`sync.persist.${persistState}`) })}</p>
        <button type="button" onClick={() => void exportFile()}>{t('sync.export')}</button>
      </div>
    </section>
  );
}
