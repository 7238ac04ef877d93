import { describe, expect, it } from 'vitest';
import type { SyncState } from '../src/sync';
import { syncStatusText } from '../src/syncStatus';

const base: SyncState = { phase: 'idle', attempt: 0, retryAt: null, lastError: null, blobsDone: 0, blobsTotal: 0 };
const NOW = 1_764_316_800_000;

describe('what the sync screen says', () => {
  it('after a seq gap: stopped and what to do, in Chinese, never the code', () => {
    const text = syncStatusText({ ...base, phase: 'stopped', lastError: 'seq_gap' }, NOW);
    expect(text).toContain('同步已暂停');
    expect(text).toContain('导出未同步记录');
    expect(text).toContain('联系管理员');
    expect(text).toContain('再点「同步」');
    expect(text).not.toMatch(/[a-z_]{4,}/);
  });

  it('a refused request names the cause in Chinese', () => {
    expect(syncStatusText({ ...base, phase: 'stopped', lastError: 'forbidden' }, NOW)).toContain('没有权限');
    expect(syncStatusText({ ...base, phase: 'stopped', lastError: 'too_large' }, NOW)).toContain('过大');
    expect(syncStatusText({ ...base, phase: 'stopped', lastError: 'invalid_body' }, NOW)).toContain('版本过旧');
  });

  it('a wait for an automatic retry says why in Chinese and how long, never the code', () => {
    const waiting = { ...base, phase: 'waiting_retry' as const, attempt: 2, retryAt: NOW + 10_000 };
    expect(syncStatusText({ ...waiting, lastError: 'network' }, NOW)).toBe('同步失败（网络不通），10 秒后重试');
    expect(syncStatusText({ ...waiting, lastError: 'unavailable' }, NOW)).toBe('同步失败（服务器暂时不可用），10 秒后重试');
    expect(syncStatusText({ ...waiting, lastError: 'rate_limited' }, NOW)).toContain('服务器繁忙');
  });

  it('a refused token asks for login; the phases of a run and the upload progress', () => {
    expect(syncStatusText({ ...base, phase: 'auth_required', lastError: 'unauthorized' }, NOW)).toBe('登录已失效，请重新登录');
    expect(syncStatusText({ ...base, phase: 'uploading', blobsDone: 2, blobsTotal: 3 }, NOW)).toBe('正在上传照片 2/3…');
    expect(syncStatusText(base, NOW)).toBe('空闲');
    expect(syncStatusText(null, NOW)).toBe('');
  });
});
