import { zhCN, type MessageKey } from './zh-CN';

const catalogue: Record<MessageKey, string> = zhCN;

/** Look up a message and fill its {placeholders}. */
export function t(key: MessageKey, params: Record<string, string | number> = {}): string {
  const text = catalogue[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name: string) => String(params[name] ?? `{${name}}`));
}

export type { MessageKey };
