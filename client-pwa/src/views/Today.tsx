import { app } from '../controller';
import type { LocalRecord } from '../db';
import { t } from '../i18n';
import { pendingCount } from '../outbox';
import { isMine, recordsOfKind } from '../records';
import { formatDateTime, weekStart } from '../time';
import { describe, optionLabel, UserText } from './common';
import { useApp, useLive, useTick } from './hooks';

const RULE_MS = 2 * 3600_000;
const CLOSED_STAGES = new Set(['closed']);
/** How many of the latest reviewed days Today shows. */
const REVIEWS_SHOWN = 7;

export function visitDurationMs(v: LocalRecord, now: number): number {
  const start = Date.parse(String(v.fields.started_at ?? ''));
  if (Number.isNaN(start)) return 0;
  const end = v.fields.ended_at ? Date.parse(String(v.fields.ended_at)) : now;
  return Math.max(0, (Number.isNaN(end) ? now : end) - start);
}

export function isOverdue(c: LocalRecord, now: number): boolean {
  const due = Date.parse(String(c.fields.due_at ?? ''));
  return !Number.isNaN(due) && due < now && !CLOSED_STAGES.has(String(c.fields.status ?? ''));
}

export function Today(props: { openCase: (id: string) => void }) {
  useApp();
  const now = useTick(30_000);
  const visits = useLive(() => (app.db ? recordsOfKind(app.db, 'visit') : Promise.resolve([])), [app.db], [] as LocalRecord[]);
  const cases = useLive(() => (app.db ? recordsOfKind(app.db, 'case') : Promise.resolve([])), [app.db], [] as LocalRecord[]);
  const pending = useLive(() => (app.db ? pendingCount(app.db) : Promise.resolve(0)), [app.db], 0);
  const reviews = useLive(() => (app.db ? recordsOfKind(app.db, 'duty_log_review') : Promise.resolve([])), [app.db], [] as LocalRecord[]);
  // The squad leader's verdicts on this liaison's duty logs, latest day first.
  const reviewed = reviews
    .filter((r) => r.fields.liaison_id === app.session?.user.id && r.fields.state !== 'pending')
    .sort((a, b) => String(b.fields.day).localeCompare(String(a.fields.day)))
    .slice(0, REVIEWS_SHOWN);
  const since = weekStart(now);
  const open = cases.filter((c) => !CLOSED_STAGES.has(String(c.fields.status ?? 'received')));

  return (
    <section>
      <p class="pending" data-testid="pending-today">{t('today.pending', { n: pending })}</p>
      <h2>{t('today.communities')}</h2>
      {app.communities.length === 0 && <p>{t('today.noCommunities')}</p>}
      <ul class="list">
        {app.communities.map((c) => {
          const week = visits.filter(
            (v) =>
              v.community_id === c.id &&
              isMine(v, app.session?.user.id) &&
              Date.parse(String(v.fields.started_at)) >= since,
          );
          const longest = Math.max(0, ...week.map((v) => visitDurationMs(v, now)));
          const met = longest >= RULE_MS;
          return (
            <li key={c.id} class="community">
              <strong><UserText>{c.name}</UserText></strong>
              <span class={met ? 'ok' : 'warn'}>{met ? t('today.ruleMet') : t('today.ruleMissing')}</span>
              <div>{t('today.week', { count: week.length, hours: (longest / 3600_000).toFixed(1) })}</div>
            </li>
          );
        })}
      </ul>
      {reviewed.length > 0 && (
        <>
          <h2>{t('today.reviews')}</h2>
          <ul class="list">
            {reviewed.map((r) => (
              <li key={r.id} class="review" data-state={String(r.fields.state)}>
                <strong>{String(r.fields.day)}</strong>{' '}
                <span class={r.fields.state === 'problem' ? 'warn' : 'ok'}>{optionLabel('duty_log_review', 'state', r.fields.state)}</span>
                {r.fields.comment ? <div><UserText>{String(r.fields.comment)}</UserText></div> : null}
              </li>
            ))}
          </ul>
        </>
      )}
      <h2>{t('today.openCases')}</h2>
      {open.length === 0 && <p>{t('today.noCases')}</p>}
      <ul class="list">
        {open.map((c) => (
          <li key={c.id} onClick={() => props.openCase(c.id)} class="clickable">
            <strong><UserText>{describe(c)}</UserText></strong> <span>{optionLabel('case', 'status', c.fields.status ?? 'received')}</span>
            {c.fields.source === 'qr' && <span class="tag">{t('case.qr')}</span>}
            {c.fields.due_at ? (
              isOverdue(c, now) ? <span class="tag bad">{t('case.overdue')}</span> : <span class="tag">{t('case.due', { date: formatDateTime(c.fields.due_at) })}</span>
            ) : null}
          </li>
        ))}
      </ul>
    </section>
  );
}
