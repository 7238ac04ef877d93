import { describe, expect, it } from 'vitest';
import type { LocalRecord } from '../src/db';
import { DEFAULT_RESOLVED, isOverdue } from '../src/deadlines';

const NOW = Date.parse('2026-12-03T10:00:00+08:00');
const RESOLVED = ['resolved', 'feedback_given', 'closed'];

function aCase(status: string | undefined, due: string | undefined): LocalRecord {
  return { id: 'c1', kind: 'case', community_id: 'x', fields: { status, due_at: due } } as unknown as LocalRecord;
}

describe('a late case', () => {
  it('is past its deadline and not yet dealt with', () => {
    expect(isOverdue(aCase('in_progress', '2026-12-02T18:00:00+08:00'), NOW, RESOLVED)).toBe(true);
    expect(isOverdue(aCase(undefined, '2026-12-02T18:00:00+08:00'), NOW, RESOLVED)).toBe(true);
  });

  it('is not late once resolved, as the console counts it, nor before its deadline', () => {
    expect(isOverdue(aCase('resolved', '2026-12-02T18:00:00+08:00'), NOW, RESOLVED)).toBe(false);
    expect(isOverdue(aCase('in_progress', '2026-12-04T18:00:00+08:00'), NOW, RESOLVED)).toBe(false);
    expect(isOverdue(aCase('in_progress', undefined), NOW, RESOLVED)).toBe(false);
  });

  it('with a schema cached from an older server, only a closed case is done', () => {
    expect(isOverdue(aCase('resolved', '2026-12-02T18:00:00+08:00'), NOW, DEFAULT_RESOLVED)).toBe(true);
    expect(isOverdue(aCase('closed', '2026-12-02T18:00:00+08:00'), NOW, DEFAULT_RESOLVED)).toBe(false);
  });
});
