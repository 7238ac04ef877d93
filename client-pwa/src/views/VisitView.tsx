import { useState } from 'preact/hooks';
import { account } from '../account';
import type { LocalRecord } from '../db';
import { findingToCase, saveRecord } from '../edits';
import { t } from '../i18n';
import { kindLabel, profile } from '../profile';
import { childrenOf, isMine, recordsOfKind } from '../records';
import { formatDateTime, formatDuration, fromLocalInput, isoLocal, startOfDay, toLocalInput } from '../time';
import type { Community, Fields } from '../types';
import { checkIn, checkOut, runningVisit } from '../visits';
import { describe, Photos, RecordDetail, UserText } from './common';
import { Inspection } from './Inspection';
import { KindForm, locate } from './RecordForm';
import { useLive, useTick, useValue } from './hooks';

/** Things done during a visit; each is its own record pointing at the visit. */
const ACTIVITIES = ['patrol_finding', 'case', 'publicity_event', 'suggestion', 'participation', 'property_inspection'];

function CheckIn(props: { communities: Community[] }) {
  const [community, setCommunity] = useState(props.communities[0]?.id ?? '');
  const [withGps, setWithGps] = useState(false);
  const [gpsFailed, setGpsFailed] = useState(false);
  async function submit(e: Event) {
    e.preventDefault();
    if (!community) return;
    let gps = null;
    if (withGps) {
      gps = await locate();
      setGpsFailed(gps === null);
    }
    await checkIn(community, gps);
  }
  return (
    <form class="card" onSubmit={submit}>
      <p>{t('visit.none')}</p>
      <label>
        <span>{t('visit.community')}</span>
        <select name="community" value={community} onInput={(e) => setCommunity(e.currentTarget.value)}>
          {props.communities.map((c) => (
            <option key={c.id} value={c.id}>{c.name}</option>
          ))}
        </select>
      </label>
      <label class="check">
        <span>{t('visit.gps')}</span>
        <input type="checkbox" checked={withGps} onChange={(e) => setWithGps(e.currentTarget.checked)} />
      </label>
      {gpsFailed && <p class="warn">{t('visit.gpsFailed')}</p>}
      <button type="submit" class="primary">{t('visit.checkin')}</button>
    </form>
  );
}

function CheckOut(props: { visit: LocalRecord; overMidnight: boolean; now: number }) {
  const [summary, setSummary] = useState('');
  // The end time offered is the current one until the liaison edits it: the form has been
  // on screen since check-in, and the time it first showed would end the visit then.
  const [endedAt, setEndedAt] = useState<string | null>(null);
  async function submit(e: Event) {
    e.preventDefault();
    const fields: Fields = {};
    if (summary.trim()) fields.summary = summary.trim();
    // Check-out is located only when check-in was: the liaison chose GPS for this visit.
    if (props.visit.fields.gps_in) {
      const gps = await locate();
      if (gps) fields.gps_out = gps;
    }
    if (props.overMidnight) {
      const iso = fromLocalInput(endedAt ?? toLocalInput(isoLocal(Date.now())));
      if (iso) fields.ended_at = iso;
    }
    await checkOut(props.visit, fields);
  }
  return (
    <form class="card" onSubmit={submit}>
      {props.overMidnight && (
        <>
          <p class="warn">{t('visit.overMidnight')}</p>
          <label>
            <span>{t('visit.endedAt')}</span>
            <input type="datetime-local" name="ended_at" value={endedAt ?? toLocalInput(isoLocal(props.now))} onInput={(e) => setEndedAt(e.currentTarget.value)} />
          </label>
        </>
      )}
      <label>
        <span>{t('visit.summary')}</span>
        <textarea name="summary" rows={2} value={summary} onInput={(e) => setSummary(e.currentTarget.value)} />
      </label>
      <button type="submit" class="primary">{t('visit.checkout')}</button>
    </form>
  );
}

function Activity(props: { record: LocalRecord; openCase: (id: string) => void }) {
  const [open, setOpen] = useState(false);
  const r = props.record;
  const toCase =
    r.kind === 'patrol_finding' && !r.fields.case_id ? (
      <button type="button" onClick={() => void findingToCase(r).then(props.openCase)}>{t('finding.toCase')}</button>
    ) : null;
  return (
    <li class="activity">
      <div
        class="clickable"
        onClick={() => (r.kind === 'case' ? props.openCase(r.id) : setOpen(!open))}
      >
        <span class="tag">{kindLabel(r.kind)}</span> <UserText>{describe(r)}</UserText>
      </div>
      {open && r.kind === 'property_inspection' && <Inspection inspection={r} />}
      {open && r.kind !== 'property_inspection' && <RecordDetail record={r} />}
      {open && toCase}
    </li>
  );
}

export function VisitView(props: { openCase: (id: string) => void }) {
  const current = useValue(account);
  const { communities, schema } = useValue(profile);
  const now = useTick(1000);
  const [adding, setAdding] = useState<string | null>(null);
  const db = current?.db ?? null;
  const userId = current?.session.user.id;
  const visits = useLive(() => (db ? recordsOfKind(db, 'visit') : Promise.resolve([])), [db], [] as LocalRecord[]);
  const mine = visits.filter((v) => isMine(v, userId));
  const active = runningVisit(visits, userId);
  const children = useLive(
    () => (db && active ? childrenOf(db, active) : Promise.resolve([])),
    [db, active?.id],
    [] as LocalRecord[],
  );
  if (!active) {
    const recent = mine
      .filter((v) => v.fields.ended_at)
      .sort((a, b) => String(b.fields.started_at).localeCompare(String(a.fields.started_at)))
      .slice(0, 5);
    return (
      <section>
        <CheckIn communities={communities} />
        {recent.length > 0 && <h2>{t('visit.history')}</h2>}
        <ul class="list">
          {recent.map((v) => (
            <li key={v.id}>
              {communities.find((c) => c.id === v.community_id)?.name ?? v.community_id} ·{' '}
              {formatDateTime(v.fields.started_at)} – {formatDateTime(v.fields.ended_at)}
            </li>
          ))}
        </ul>
      </section>
    );
  }
  const started = Date.parse(String(active.fields.started_at));
  const overMidnight = started < startOfDay(now);
  const community = communities.find((c) => c.id === active.community_id)?.name ?? active.community_id;
  return (
    <section>
      <div class="card running">
        <strong>{t('visit.running', { community })}</strong>
        <div>{t('visit.startedAt', { time: formatDateTime(active.fields.started_at) })}</div>
        <div class="timer" data-testid="visit-timer">{t('visit.elapsed', { time: formatDuration(now - started) })}</div>
        {overMidnight && <p class="warn">{t('visit.overMidnight')}</p>}
        <Photos parent={active} />
      </div>
      <div class="add-buttons">
        {ACTIVITIES.map((kind) => (
          <button key={kind} type="button" data-kind={kind} onClick={() => setAdding(kind)}>
            {t('visit.add')}{kindLabel(kind)}
          </button>
        ))}
      </div>
      {adding && (
        <div class="card">
          <h3>{kindLabel(adding)}</h3>
          <KindForm
            key={adding}
            kind={adding}
            communityId={active.community_id}
            fixed={{
              visit_id: active.id,
              // Inspections record which checklist edition they were answered against.
              ...(adding === 'property_inspection' && schema ? { checklist_version: schema.checklist.version } : {}),
            }}
            onCancel={() => setAdding(null)}
            onSubmit={async (fields) => {
              await saveRecord(adding, active.community_id, null, fields);
              setAdding(null);
            }}
          />
        </div>
      )}
      <ul class="list">
        {children.filter((c) => c.kind !== 'attachment').map((c) => (
          <Activity key={c.id} record={c} openCase={props.openCase} />
        ))}
      </ul>
      <CheckOut visit={active} overMidnight={overMidnight} now={now} />
    </section>
  );
}
