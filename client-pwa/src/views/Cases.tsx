import { useState } from 'preact/hooks';
import { account } from '../account';
import type { LocalRecord, WorkroomDb } from '../db';
import { saveRecord, voidRecord } from '../edits';
import { t } from '../i18n';
import { kindSpec, profile } from '../profile';
import { DEFAULT_RESOLVED, isOverdue } from '../deadlines';
import { childrenOf, pendingRecordIds, recordsOfKind } from '../records';
import { formatDateTime } from '../time';
import type { Community } from '../types';
import { describe, FieldList, optionLabel, Photos, UserText } from './common';
import { KindForm } from './RecordForm';
import { useLive, useTick, useValue } from './hooks';

function stepTime(s: LocalRecord): string {
  return String(s.fields.at ?? s.created_at ?? '');
}

async function voidCase(record: LocalRecord): Promise<void> {
  const reason = window.prompt(t('cases.voidReason'));
  if (reason === null) return;
  await voidRecord(record, reason);
}

function CaseDetail(props: { db: WorkroomDb | null; id: string; back: () => void }) {
  const { db } = props;
  const record = useLive(() => (db ? db.records.get(props.id) : Promise.resolve(undefined)), [props.id], undefined as LocalRecord | undefined);
  const steps = useLive(
    () => (db && record ? childrenOf(db, record, 'case_step') : Promise.resolve([])),
    [props.id, record?.community_id],
    [] as LocalRecord[],
  );
  const [mode, setMode] = useState<'none' | 'step' | 'status' | 'edit'>('none');
  if (!record || record.fields.voided === true) return <button onClick={props.back}>{t('cases.back')}</button>;
  const statusSpec = kindSpec('case')?.fields.find((f) => f.name === 'status');
  const done = async (fn: () => Promise<unknown>) => {
    await fn();
    setMode('none');
  };
  return (
    <section class="case-detail" data-case-id={record.id}>
      <button type="button" onClick={props.back}>{t('cases.back')}</button>
      <h2><UserText>{describe(record)}</UserText></h2>
      <p>
        {t('cases.status')}：<strong data-testid="case-status">{optionLabel('case', 'status', record.fields.status ?? 'received')}</strong>
      </p>
      <FieldList kind={record.kind} fields={record.fields} />
      <Photos parent={record} />
      <div class="actions">
        <button type="button" onClick={() => setMode('step')}>{t('cases.addStep')}</button>
        {statusSpec && <button type="button" onClick={() => setMode('status')}>{t('cases.setStatus')}</button>}
        <button type="button" onClick={() => setMode('edit')}>{t('cases.edit')}</button>
        <button type="button" onClick={() => void voidCase(record)}>{t('cases.void')}</button>
      </div>
      {mode === 'step' && (
        <KindForm
          kind="case_step"
          fixed={{ case_id: record.id }}
          onCancel={() => setMode('none')}
          onSubmit={(fields) => done(() => saveRecord('case_step', record.community_id, null, fields))}
        />
      )}
      {mode === 'status' && (
        <KindForm
          kind="case"
          only={['status']}
          initial={{ status: record.fields.status ?? 'received' }}
          onCancel={() => setMode('none')}
          onSubmit={(fields) => done(() => saveRecord('case', record.community_id, record, fields))}
        />
      )}
      {mode === 'edit' && (
        <KindForm
          kind="case"
          initial={record.fields}
          onCancel={() => setMode('none')}
          onSubmit={(fields) => done(() => saveRecord('case', record.community_id, record, fields))}
        />
      )}
      <h3>{t('cases.steps')}</h3>
      {steps.length === 0 && <p>{t('cases.noSteps')}</p>}
      <ol class="steps">
        {[...steps].sort((a, b) => stepTime(a).localeCompare(stepTime(b))).map((s) => (
          <li key={s.id}>
            <strong>{optionLabel('case_step', 'action', s.fields.action)}</strong> {formatDateTime(s.fields.at ?? s.created_at)}
            <div><UserText>{String(s.fields.note ?? s.fields.content ?? '')}</UserText></div>
          </li>
        ))}
      </ol>
    </section>
  );
}

function NewCase(props: { communities: Community[]; done: (id: string | null) => void }) {
  const [community, setCommunity] = useState(props.communities[0]?.id ?? '');
  return (
    <section class="card">
      <h2>{t('cases.new')}</h2>
      <label>
        <span>{t('visit.community')}</span>
        <select name="community" value={community} onInput={(e) => setCommunity(e.currentTarget.value)}>
          {props.communities.map((c) => (
            <option key={c.id} value={c.id}>{c.name}</option>
          ))}
        </select>
      </label>
      <KindForm
        kind="case"
        onCancel={() => props.done(null)}
        onSubmit={async (fields) => props.done(await saveRecord('case', community, null, fields))}
      />
    </section>
  );
}

export function Cases(props: { openId: string | null; setOpenId: (id: string | null) => void }) {
  const db = useValue(account)?.db ?? null;
  const { communities, schema } = useValue(profile);
  const resolved = schema?.resolved_statuses ?? DEFAULT_RESOLVED;
  const now = useTick(60_000);
  const [creating, setCreating] = useState(false);
  const cases = useLive(() => (db ? recordsOfKind(db, 'case') : Promise.resolve([])), [db], [] as LocalRecord[]);
  const pending = useLive(() => (db ? pendingRecordIds(db) : Promise.resolve(new Set<string>())), [db], new Set<string>());
  if (props.openId) return <CaseDetail db={db} id={props.openId} back={() => props.setOpenId(null)} />;
  if (creating) {
    return (
      <NewCase
        communities={communities}
        done={(id) => {
          setCreating(false);
          if (id) props.setOpenId(id);
        }}
      />
    );
  }
  const sorted = [...cases].sort((a, b) => String(b.created_at ?? '').localeCompare(String(a.created_at ?? '')));
  return (
    <section>
      <button type="button" class="primary" onClick={() => setCreating(true)}>{t('cases.new')}</button>
      {sorted.length === 0 && <p>{t('cases.none')}</p>}
      <ul class="list cases">
        {sorted.map((c) => (
          <li key={c.id} class="clickable" data-case-id={c.id} onClick={() => props.setOpenId(c.id)}>
            <strong><UserText>{describe(c)}</UserText></strong> <span>{optionLabel('case', 'status', c.fields.status ?? 'received')}</span>
            {pending.has(c.id) && <span class="tag">⇡</span>}
            {c.fields.source === 'qr' && <span class="tag">{optionLabel('case', 'source', 'qr')}</span>}
            {isOverdue(c, now, resolved) && <span class="tag bad">{t('case.overdue')}</span>}
          </li>
        ))}
      </ul>
    </section>
  );
}
