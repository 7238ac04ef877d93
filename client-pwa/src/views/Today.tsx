import { account } from '../account';
import type { LocalRecord } from '../db';
import { t } from '../i18n';
import { pendingCount } from '../outbox';
import { profile } from '../profile';
import { recordsOfKind } from '../records';
import { DEFAULT_RESOLVED, isOverdue } from '../deadlines';
import { formatDateTime } from '../time';
import { liaisonWeek, weekStartMs } from '../weekly';
import { describe, optionLabel, UserText } from './common';
import { useLive, useTick, useValue } from './hooks';

const CLOSED_STAGES = new Set(['closed']);
/** How many of the latest reviewed days Today shows. */
const REVIEWS_SHOWN = 7;

export function Today(props: { openCase: (id: string) => void }) {
  // What this screen reads: my communities, database and session.
  const current = useValue(account);
  const me = { ...useValue(profile), db: current?.db ?? null, session: current?.session };
  const now = useTick(30_000);
  const visits = useLive(() => (me.db ? recordsOfKind(me.db, 'visit') : Promise.resolve([])), [me.db], [] as LocalRecord[]);
  const cases = useLive(() => (me.db ? recordsOfKind(me.db, 'case') : Promise.resolve([])), [me.db], [] as LocalRecord[]);
  const pending = useLive(() => (me.db ? pendingCount(me.db) : Promise.resolve(0)), [me.db], 0);
  const reviews = useLive(() => (me.db ? recordsOfKind(me.db, 'duty_log_review') : Promise.resolve([])), [me.db], [] as LocalRecord[]);
  // The squad leader's verdicts on this liaison's duty logs, latest day first.
  const reviewed = reviews
    .filter((r) => r.fields.liaison_id === me.session?.user.id && r.fields.state !== 'pending')
    .sort((a, b) => String(b.fields.day).localeCompare(String(a.fields.day)))
    .slice(0, REVIEWS_SHOWN);
  // The weekly rule as the server publishes it (src/weekly.ts): this user's own cell.
  const rule = me.schema?.weekly_rule;
  const resolved = me.schema?.resolved_statuses ?? DEFAULT_RESOLVED;
  const open = cases.filter((c) => !CLOSED_STAGES.has(String(c.fields.status ?? 'received')));

  return (
    <section>
      <p class="pending" data-testid="pending-today">{t('today.pending', { n: pending })}</p>
      <h2>{t('today.communities')}</h2>
      {me.communities.length === 0 && <p>{t('today.noCommunities')}</p>}
      <ul class="list">
        {me.communities.map((c) => {
          if (!rule) {
            return (
              <li key={c.id} class="community">
                <strong><UserText>{c.name}</UserText></strong> <span>{t('today.noRule')}</span>
              </li>
            );
          }
          const week = liaisonWeek(
            visits,
            { liaisonId: me.session?.user.id ?? '', communityId: c.id, weekStartMs: weekStartMs(now, rule), nowMs: now },
            rule,
          );
          const hours = { hours: (week.longestMs / 3600_000).toFixed(1), min: rule.min_visit_minutes / 60 };
          return (
            <li key={c.id} class="community" data-colour={week.colour}>
              <strong><UserText>{c.name}</UserText></strong>
              <span class={week.colour === 'green' ? 'ok' : 'warn'}>{t(`today.rule.${week.colour}`, hours)}</span>
              <div>{t('today.week', { count: week.visits, ...hours })}</div>
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
            {c.fields.source === 'qr' && <span class="tag">{optionLabel('case', 'source', 'qr')}</span>}
            {c.fields.due_at ? (
              isOverdue(c, now, resolved) ? <span class="tag bad">{t('case.overdue')}</span> : <span class="tag">{t('case.due', { date: formatDateTime(c.fields.due_at) })}</span>
            ) : null}
          </li>
        ))}
      </ul>
    </section>
  );
}
