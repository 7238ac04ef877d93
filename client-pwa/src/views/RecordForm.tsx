// Forms generated from the server's schema export: one component for every kind, so a
// field added in schema/ appears on the phone without a hand-written form.
import { useState } from 'preact/hooks';
import { currentDb } from '../account';
import { kindLabel, kindSpec, profile } from '../profile';
import type { LocalRecord } from '../db';
import { t } from '../i18n';
import { recordTitle } from '../present';
import { recordsOfKind } from '../records';
import { fromLocalInput, toLocalInput } from '../time';
import type { FieldSpec, Fields, KindSpec } from '../types';
import { missingFields, missingMessage, requiredOnCreation, sourcedOptions, withSourcedOptions } from '../validate';
import { useLive } from './hooks';

interface Props {
  spec: KindSpec;
  /** Values set by the app (parent ids, visit id): sent, never shown as inputs. */
  fixed?: Fields;
  initial?: Fields;
  /** The record's community: where `options_from` fields take their options. */
  communityId?: string;
  /**
   * Whether saving creates the record, so the server checks its required fields on
   * `initial` and the form's values together (fix-and-resend of a record that never
   * landed). Default: when there is no `initial`.
   */
  creating?: boolean;
  /** Only these fields are shown (e.g. the status form), when given. */
  only?: string[];
  submitLabel?: string;
  onSubmit: (fields: Fields) => Promise<void> | void;
  onCancel?: () => void;
}

type Draft = Record<string, string | boolean>;

function toDraft(f: FieldSpec, v: unknown): string | boolean {
  if (v === undefined || v === null) return f.type === 'bool' ? false : '';
  switch (f.type) {
    case 'bool':
      return v === true;
    case 'datetime':
      return toLocalInput(v);
    case 'text_list':
      return Array.isArray(v) ? v.join('，') : String(v);
    case 'gps':
      return JSON.stringify(v);
    default:
      return String(v);
  }
}

function fromDraft(f: FieldSpec, v: string | boolean): { value?: unknown; error?: string } {
  if (f.type === 'bool') return { value: v === true };
  const s = typeof v === 'string' ? v.trim() : '';
  if (s === '') return {};
  switch (f.type) {
    case 'int': {
      if (!/^-?\d+$/.test(s)) return { error: t('form.notInt', { label: f.label }) };
      return { value: Number(s) };
    }
    case 'datetime':
      return { value: fromLocalInput(s) ?? undefined };
    case 'text_list':
      return { value: s.split(/[,，、]/).map((x) => x.trim()).filter(Boolean) };
    case 'gps':
      try {
        return { value: JSON.parse(s) };
      } catch {
        return {};
      }
    default:
      if (f.max_length !== null && [...s].length > f.max_length) {
        return { error: t('form.tooLong', { label: f.label, n: f.max_length }) };
      }
      return { value: s };
  }
}

function RefSelect(props: { field: FieldSpec; value: string; onInput: (v: string) => void }) {
  const { field } = props;
  const options = useLive<LocalRecord[]>(
    () => {
      const db = currentDb();
      return db && field.ref_kind ? recordsOfKind(db, field.ref_kind) : Promise.resolve([]);
    },
    [field.ref_kind],
    [],
  );
  return (
    <select name={field.name} value={props.value} onInput={(e) => props.onInput(e.currentTarget.value)}>
      <option value="">{t('form.choose')}</option>
      {options.map((r) => (
        <option key={r.id} value={r.id}>
          {recordTitle(kindSpec(r.kind), r.fields) || kindLabel(r.kind)}
        </option>
      ))}
    </select>
  );
}

function Input(props: { field: FieldSpec; value: string | boolean; onInput: (v: string | boolean) => void }) {
  const { field: f, value, onInput } = props;
  const str = typeof value === 'string' ? value : '';
  switch (f.type) {
    case 'longtext':
      return <textarea name={f.name} rows={3} value={str} onInput={(e) => onInput(e.currentTarget.value)} />;
    case 'int':
      return <input name={f.name} type="number" step={1} inputMode="numeric" value={str} onInput={(e) => onInput(e.currentTarget.value)} />;
    case 'bool':
      return <input name={f.name} type="checkbox" checked={value === true} onChange={(e) => onInput(e.currentTarget.checked)} />;
    case 'datetime':
      return <input name={f.name} type="datetime-local" value={str} onInput={(e) => onInput(e.currentTarget.value)} />;
    case 'enum':
      return (
        <select name={f.name} value={str} onInput={(e) => onInput(e.currentTarget.value)}>
          <option value="">{t('form.choose')}</option>
          {(f.options ?? []).map((o) => (
            <option key={o.value} value={o.value}>{o.label}</option>
          ))}
        </select>
      );
    case 'ref':
      return <RefSelect field={f} value={str} onInput={onInput} />;
    case 'gps':
      return (
        <span>
          <button type="button" onClick={() => void locate().then((g) => g && onInput(JSON.stringify(g)))}>{t('form.gps')}</button>
          <small>{str}</small>
        </span>
      );
    case 'text_list':
      return (
        <span>
          <input name={f.name} list={`dl-${f.name}`} value={str} placeholder={t('form.listHint')} onInput={(e) => onInput(e.currentTarget.value)} />
          <datalist id={`dl-${f.name}`}>{(f.options ?? []).map((o) => <option key={o.value} value={o.value} />)}</datalist>
        </span>
      );
    default:
      return <input name={f.name} type="text" maxLength={f.max_length ?? undefined} value={str} onInput={(e) => onInput(e.currentTarget.value)} />;
  }
}

export async function locate(): Promise<{ lat: number; lon: number; accuracy_m: number } | null> {
  if (!navigator.geolocation) return null;
  return new Promise((resolve) =>
    navigator.geolocation.getCurrentPosition(
      (p) => resolve({ lat: p.coords.latitude, lon: p.coords.longitude, accuracy_m: Math.round(p.coords.accuracy) }),
      () => resolve(null),
      { enableHighAccuracy: true, timeout: 10_000, maximumAge: 60_000 },
    ),
  );
}

export function RecordForm(props: Props) {
  const { spec, fixed = {}, initial = {} } = props;
  const community = profile.get().communities.find((c) => c.id === props.communityId);
  const visible = withSourcedOptions(spec.fields, sourcedOptions(community)).filter(
    (f) =>
      !f.hidden &&
      !f.readonly &&
      !(f.name in fixed) &&
      f.type !== 'sha256' &&
      (!props.only || props.only.includes(f.name)),
  );
  const [draft, setDraft] = useState<Draft>(() =>
    Object.fromEntries(visible.map((f) => [f.name, toDraft(f, initial[f.name])])),
  );
  const [errors, setErrors] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const isNew = Object.keys(initial).length === 0;
  const creating = props.creating ?? isNew;
  // Marked as the values change: choosing 反馈诉求人 makes its channel and content required.
  const required = creating ? requiredOnCreation(spec, { ...initial, ...fixed, ...draft }) : new Set<string>();

  async function submit(e: Event) {
    e.preventDefault();
    // A fixed value the kind does not declare would get the whole mutation rejected
    // (unknown_field), so only declared fields are sent.
    const declared = new Set(spec.fields.map((f) => f.name));
    const out: Fields = Object.fromEntries(Object.entries(fixed).filter(([k]) => declared.has(k)));
    const errs: string[] = [];
    const unreadable = new Set<string>();
    for (const f of visible) {
      const raw = draft[f.name] ?? '';
      const { value, error } = fromDraft(f, raw);
      if (error) {
        errs.push(error);
        unreadable.add(f.name);
      } else if (value === undefined) {
        // Emptying a field on an edit clears it on the server (null = cleared).
        if (!isNew && !f.required && initial[f.name] !== undefined && initial[f.name] !== null) out[f.name] = null;
      } else if (isNew ? !(f.type === 'bool' && value === false) : JSON.stringify(value) !== JSON.stringify(initial[f.name])) {
        // Edits send only what changed: fields are last-writer-wins registers, so an
        // untouched field resent would overwrite a colleague's newer value.
        out[f.name] = value;
      }
    }
    // What the server would refuse as missing_field, checked on what it would receive.
    const sent = isNew ? out : { ...initial, ...out };
    for (const missing of missingFields(spec, sent, { creating })) {
      if (!unreadable.has(missing.field)) errs.push(missingMessage(spec, missing));
    }
    setErrors(errs);
    if (errs.length) return;
    setBusy(true);
    try {
      await props.onSubmit(out);
    } catch (err) {
      // E.g. storage full: the form stays filled in so nothing typed is lost.
      setErrors([err instanceof Error ? err.message : String(err)]);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="record-form" data-kind={spec.kind} onSubmit={submit}>
      {visible.map((f) => (
        <label key={f.name} class={f.type === 'bool' ? 'check' : ''}>
          <span>
            {f.label}
            {f.required || required.has(f.name) ? ' *' : ''}
          </span>
          <Input field={f} value={draft[f.name] ?? ''} onInput={(v) => setDraft((d) => ({ ...d, [f.name]: v }))} />
        </label>
      ))}
      {errors.map((err) => (
        <p class="error" key={err}>{err}</p>
      ))}
      <div class="actions">
        <button type="submit" class="primary" disabled={busy}>{props.submitLabel ?? t('form.save')}</button>
        {props.onCancel && <button type="button" onClick={props.onCancel}>{t('form.cancel')}</button>}
      </div>
    </form>
  );
}

/** A form for a kind, or the "schema not downloaded" notice. */
export function KindForm(props: Omit<Props, 'spec'> & { kind: string }) {
  const spec = kindSpec(props.kind);
  if (!spec) return <p class="error">{t('form.noSchema')}</p>;
  return <RecordForm {...props} spec={spec} />;
}
