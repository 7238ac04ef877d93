import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { account } from '../src/account';
import { getMeta } from '../src/db';
import type { LocalRecord } from '../src/db';
import {
  accrueVisitTime, checkIn, checkOut, runningVisit, startVisitClock, stopVisitClock, VISIT_CLOCK_TICK_MS,
} from '../src/visits';
import { freshDb, signIn } from './helpers';

beforeEach(() => account.set(null));
afterEach(() => stopVisitClock());

function manualInterval() {
  const ticks: { fn: () => void; ms: number; id: number }[] = [];
  return {
    ticks,
    every: (fn: () => void, ms: number) => {
      ticks.push({ fn, ms, id: ticks.length + 1 });
      return ticks.length;
    },
    cancel: (id: unknown) => {
      const i = ticks.findIndex((t) => t.id === id);
      if (i >= 0) ticks.splice(i, 1);
    },
  };
}

describe('the visit clock', () => {
  it('a visit checked in and out reports the monotonic time it was open, not the wall clock', async () => {
    const db = await freshDb();
    signIn(db);
    const id = await checkIn('c1', { lat: 31.2, lon: 121.5, accuracy_m: 8 });
    const started = (await db.records.get(id))!;
    expect(started.fields.gps_in).toEqual({ lat: 31.2, lon: 121.5, accuracy_m: 8 });
    expect(typeof started.fields.started_at).toBe('string');

    await accrueVisitTime(db, 90 * 60_000);
    await accrueVisitTime(db, 31 * 60_000 + 400);
    await checkOut(started, { summary: '走访居委会' });
    const [, out] = await db.outbox.orderBy('seq').toArray();
    expect(out!.fields).toMatchObject({ summary: '走访居委会', elapsed_s: 121 * 60 });
    expect(typeof out!.fields.ended_at).toBe('string');
    // Closed: later ticks count towards nothing.
    await accrueVisitTime(db, 5_000);
    expect(await getMeta(db, `elapsed:${id}`)).toBeUndefined();
  });

  it('the check-out time the liaison chose after midnight wins over now', async () => {
    const db = await freshDb();
    signIn(db);
    const id = await checkIn('c1', null);
    const visit = (await db.records.get(id))!;
    expect(visit.fields.gps_in).toBeUndefined();
    await checkOut(visit, { ended_at: '2026-11-28T22:30:00+08:00' });
    const [, out] = await db.outbox.orderBy('seq').toArray();
    expect(out!.fields.ended_at).toBe('2026-11-28T22:30:00+08:00');
    expect(out!.fields.elapsed_s).toBe(0);
  });

  it('ticks while the app runs add the monotonic time between them; stopping ends the ticks', async () => {
    const db = await freshDb();
    signIn(db);
    const id = await checkIn('c1', null);
    let mono = 1_000;
    const timers = manualInterval();
    startVisitClock(db, { monotonic: () => mono, ...timers });
    expect(timers.ticks.map((t) => t.ms)).toEqual([VISIT_CLOCK_TICK_MS]);
    mono += 5_000;
    timers.ticks[0]!.fn();
    mono += 7_000; // a busy phone ticks late: the gap still counts
    timers.ticks[0]!.fn();
    await vi.waitFor(async () => expect(await getMeta(db, `elapsed:${id}`)).toBe(12_000));
    stopVisitClock();
    expect(timers.ticks).toHaveLength(0);
  });
});

describe('the running visit', () => {
  const visit = (id: string, started: string, extra: Partial<LocalRecord> = {}, ended?: string): LocalRecord => ({
    id,
    kind: 'visit',
    community_id: 'c1',
    version: 1,
    base: null,
    fields: { started_at: started, ...(ended ? { ended_at: ended } : {}) },
    parent_id: '',
    ...extra,
  });

  it('is my latest open visit; a colleague open visit pulled from the server is not mine', () => {
    const visits = [
      visit('old', '2026-11-28T08:00:00+08:00'),
      visit('done', '2026-11-28T10:00:00+08:00', {}, '2026-11-28T11:00:00+08:00'),
      visit('mine', '2026-11-28T09:00:00+08:00', { created_by: 'u-me' }),
      visit('theirs', '2026-11-28T12:00:00+08:00', { created_by: 'u-colleague' }),
    ];
    expect(runningVisit(visits, 'u-me')?.id).toBe('mine');
    expect(runningVisit(visits.slice(1, 2), 'u-me')).toBeUndefined();
  });
});
