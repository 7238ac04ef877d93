// How a record's stored values read to a person: option values through their zh-CN
// labels, times as the rest of the app writes them, 是/否, lists joined with 、. Codes,
// ids and JSON never reach the screen; a field this device cannot label is left out.
import { t } from './i18n';
import { formatDateTime } from './time';
import type { FieldSpec, Fields, KindSpec, Option } from './types';

export interface FieldRow {
  name: string;
  label: string;
  value: string;
}

function label(options: Option[] | null | undefined, value: unknown): string | undefined {
  return options?.find((o) => o.value === value)?.label;
}

/**
 * One value as a person reads it; '' when there is nothing a person could read.
 * `statuses` labels a `status` field the schema gives no options for (a case's stages).
 */
export function displayValue(field: FieldSpec | undefined, value: unknown, statuses: Option[] = []): string {
  if (value === undefined || value === null) return '';
  const known = label(field?.options, value) ?? (field?.name === 'status' ? label(statuses, value) : undefined);
  if (known !== undefined) return known;
  switch (field?.type) {
    case 'ref':
    case 'sha256':
      return '';
    case 'datetime':
      return formatDateTime(value);
    default:
  }
  if (typeof value === 'boolean') return value ? t('yes') : t('no');
  if (Array.isArray(value)) {
    return value.map((v) => label(field?.options, v) ?? displayValue(undefined, v)).filter(Boolean).join('、');
  }
  if (typeof value === 'object') {
    const { lat, lon } = value as { lat?: unknown; lon?: unknown };
    return typeof lat === 'number' && typeof lon === 'number' ? t('value.gps', { lat, lon }) : '';
  }
  return String(value);
}

/**
 * The labelled rows of a record's fields, in the schema's order: hidden fields, ids
 * (refs, file hashes), fields the schema does not name and empty values are omitted.
 */
export function fieldRows(spec: KindSpec | null | undefined, fields: Fields, statuses: Option[] = []): FieldRow[] {
  const rows: FieldRow[] = [];
  // Only a case's status is labelled by the lattice's stages (sync-protocol.md).
  const stages = spec?.kind === 'case' ? statuses : [];
  for (const f of spec?.fields ?? []) {
    if (f.hidden || !(f.name in fields)) continue;
    const value = displayValue(f, fields[f.name], stages);
    if (value !== '') rows.push({ name: f.name, label: f.label, value });
  }
  return rows;
}

/**
 * The text naming a record in a list: the first of its kind's `title` fields (from the
 * schema) that has a value, a choice by its label; '' when none has.
 */
export function recordTitle(spec: KindSpec | null | undefined, fields: Fields): string {
  for (const name of spec?.title ?? []) {
    const value = displayValue(spec?.fields.find((f) => f.name === name), fields[name]);
    if (value !== '') return value;
  }
  return '';
}

/**
 * The zh-CN label of a named field. An error names a top-level field or a path into
 * one (`partners[0]`, `gps_in.lat`); the label is the top-level field's.
 */
export function fieldLabel(spec: KindSpec | null | undefined, field: string | undefined): string | undefined {
  if (!field) return undefined;
  const top = /^[^.[]*/.exec(field)?.[0] ?? '';
  return spec?.fields.find((f) => f.name === top)?.label;
}
