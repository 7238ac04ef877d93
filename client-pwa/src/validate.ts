// What a form checks before it queues a record, from the schema export alone: the
// server's rules (sync/domain/validate.py), so the phone refuses what the server would
// reject instead of queueing it to be rejected later. No DOM.
import { t } from './i18n';
import type { Community, FieldSpec, Fields, KindSpec, Option } from './types';

type OptionsSource = NonNullable<FieldSpec['options_from']>;

/** A field the server would name `missing_field`, and the rule that requires it. */
export interface Missing {
  field: string;
  /** Set when a `required_when` rule requires it: the field and value that do. */
  when?: { field: string; value: string };
}

function absent(fields: Fields, name: string): boolean {
  return fields[name] === undefined || fields[name] === null;
}

/**
 * Every field the server would refuse these values for as missing, in the order it
 * checks them, so the first is the field it would name. Only a creating mutation is
 * checked (an edit sends only what changed): the kind's required fields in the export's
 * order (kinds.py's REQUIRED order; tests/test_wire_types.py), then each `required_when`
 * rule whose field has its value.
 */
export function missingFields(spec: KindSpec, fields: Fields, opts: { creating: boolean }): Missing[] {
  if (!opts.creating) return [];
  const found: Missing[] = spec.fields.filter((f) => f.required && absent(fields, f.name)).map((f) => ({ field: f.name }));
  for (const rule of spec.required_when) {
    if (fields[rule.field] !== rule.value) continue;
    for (const name of rule.required) {
      if (absent(fields, name) && !found.some((m) => m.field === name)) {
        found.push({ field: name, when: { field: rule.field, value: rule.value } });
      }
    }
  }
  return found;
}

/** The fields a creating mutation with these values must carry (a form marks them). */
export function requiredOnCreation(spec: KindSpec, fields: Fields): Set<string> {
  const required = new Set(spec.fields.filter((f) => f.required).map((f) => f.name));
  for (const rule of spec.required_when) {
    if (fields[rule.field] === rule.value) rule.required.forEach((name) => required.add(name));
  }
  return required;
}

/** A missing field as the form says it, by the labels the form shows. */
export function missingMessage(spec: KindSpec, missing: Missing): string {
  const field = (name: string) => spec.fields.find((f) => f.name === name);
  const label = field(missing.field)?.label ?? missing.field;
  if (!missing.when) return t('form.required', { label });
  const when = field(missing.when.field);
  const value = when?.options?.find((o) => o.value === missing.when?.value)?.label ?? missing.when.value;
  return t('form.requiredWhen', { label, when: when?.label ?? missing.when.field, value });
}

/** The options each `options_from` source offers in a community (from GET /api/v1/me). */
export function sourcedOptions(community: Community | undefined): Record<OptionsSource, Option[]> {
  return {
    property_companies: (community?.property_companies ?? []).map((c) => ({ value: c.id, label: c.name })),
  };
}

/**
 * The fields with their community's options filled in: an `options_from` field becomes
 * a choice among them. With none to offer (a community the bureau has not linked to a
 * company yet) it stays free text, as the server accepts any id there.
 */
export function withSourcedOptions(fields: FieldSpec[], options: Record<OptionsSource, Option[]>): FieldSpec[] {
  return fields.map((f) => {
    const offered = f.options_from ? options[f.options_from] : [];
    return offered.length ? { ...f, type: 'enum', options: offered } : f;
  });
}
