// What the sync screen says about the loop, in the liaison's words: what it is doing,
// why it waits and for how long, or — after a permanent error — what to do about it.
// No DOM.
import { SEQ_GAP } from './failures';
import { t, type MessageKey } from './i18n';
import type { SyncState } from './sync';

/** Why an automatic retry is pending, from the failure's code and status. */
function retryReason(code: string): MessageKey {
  if (code === 'network') return 'sync.retry.network';
  if (code === 'client') return 'sync.retry.device';
  if (code === 'rate_limited' || code === 'locked' || code === 'http_429') return 'sync.retry.busy';
  return 'sync.retry.server';
}

/** What the liaison can do about a permanent error. */
function stoppedAdvice(code: string): MessageKey {
  if (code === SEQ_GAP) return 'sync.stopped.seq_gap';
  if (code === 'forbidden') return 'sync.stopped.forbidden';
  if (code === 'too_large' || code === 'unsupported_type' || code === 'hash_mismatch') return 'sync.stopped.too_large';
  return 'sync.stopped.other';
}

export function syncStatusText(state: SyncState | null, now: number): string {
  if (!state) return '';
  switch (state.phase) {
    case 'uploading':
      return t('sync.phase.uploading', { done: state.blobsDone, total: state.blobsTotal });
    case 'waiting_retry':
      return t('sync.phase.waiting_retry', {
        error: t(retryReason(state.lastError ?? '')),
        sec: Math.max(0, Math.round(((state.retryAt ?? now) - now) / 1000)),
      });
    case 'stopped':
      // Advice in the liaison's words only: no screen shows a protocol code.
      return t(stoppedAdvice(state.lastError ?? ''));
    default:
      return t(`sync.phase.${state.phase}`);
  }
}
