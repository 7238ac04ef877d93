import { zhCN, type MessageKey } from './zh-CN';

const catalogue: Record<MessageKey, string> = zhCN;

/**
 * A message split at its {placeholders}, each filled from `params`: text and filled
 * placeholder alternate (even index text, odd index a parameter), so a screen can
 * isolate the user's text inside a sentence (views/common.tsx).
 */
export function tParts<P>(key: MessageKey, params: Record<string, P>): (string | P)[] {
  const text = catalogue[key] ?? key;
  return text.split(/\{(\w+)\}/g).map((piece, i) => (i % 2 === 0 ? piece : params[piece] ?? `{${piece}}`));
}

/** Look up a message and fill its {placeholders}. */
export function t(key: MessageKey, params: Record<string, string | number> = {}): string {
  return tParts(key, params).join('');
}

export type { MessageKey };
