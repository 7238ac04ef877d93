import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { currentDb } from '../account';
import { addPhoto, photoBlob } from '../attachments';
import type { LocalRecord } from '../db';
import { saveRecord, voidRecord } from '../edits';
import { t, tParts, type MessageKey } from '../i18n';
import { displayValue, fieldRows, recordTitle } from '../present';
import { kindLabel, kindSpec, profile } from '../profile';
import { childrenOf } from '../records';
import type { Fields } from '../types';
import { useLive } from './hooks';
import { KindForm } from './RecordForm';

/** One line naming a record: its kind's title fields, as the schema names them. */
export function describe(r: LocalRecord): string {
  return recordTitle(kindSpec(r.kind), r.fields) || kindLabel(r.kind);
}

export function optionLabel(kind: string, field: string, value: unknown): string {
  const spec = kindSpec(kind)?.fields.find((f) => f.name === field);
  return displayValue(spec, value, kind === 'case' ? profile.get().schema?.case_statuses : []);
}

/**
 * Text a person typed (or the server relays): bidi-isolated, so a direction override
 * inside it (U+202E) cannot reorder the words around it.
 */
export function UserText(props: { children: ComponentChildren }) {
  return <bdi>{props.children}</bdi>;
}

/** A catalogue sentence whose placeholders hold user text, each one isolated. */
export function Sentence(props: { msg: MessageKey; params: Record<string, string | number> }) {
  return (
    <>
      {tParts(props.msg, props.params).map((piece, i) => (i % 2 === 0 ? piece : <UserText key={i}>{piece}</UserText>))}
    </>
  );
}

/** A record's fields as labelled rows (present.ts decides what shows and how). */
export function FieldList(props: { kind: string; fields: Fields }) {
  const rows = fieldRows(kindSpec(props.kind), props.fields, profile.get().schema?.case_statuses);
  return (
    <dl class="fields">
      {rows.map((row) => (
        <div key={row.name} data-field={row.name}>
          <dt>{row.label}</dt>
          <dd><UserText>{row.value}</UserText></dd>
        </div>
      ))}
    </dl>
  );
}

function Thumb(props: { sha256: string }) {
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    let revoked = false;
    let u: string | null = null;
    // Null while not on the phone and not reachable: the grey placeholder stays.
    void photoBlob(props.sha256).then((blob) => {
      if (!blob || revoked) return;
      u = URL.createObjectURL(blob);
      setUrl(u);
    });
    return () => {
      revoked = true;
      if (u) URL.revokeObjectURL(u);
    };
  }, [props.sha256]);
  return url ? <img class="thumb" src={url} alt="" /> : <span class="thumb" />;
}

/** Photos of a record, with a camera button that stores a downscaled JPEG offline. */
export function Photos(props: { parent: LocalRecord }) {
  const photos = useLive<LocalRecord[]>(
    () => {
      const db = currentDb();
      return db ? childrenOf(db, props.parent, 'attachment') : Promise.resolve([]);
    },
    [props.parent.id],
    [],
  );
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(false);
  async function onFile(e: Event) {
    const input = e.currentTarget as HTMLInputElement;
    const files = Array.from(input.files ?? []);
    setBusy(true);
    setError(false);
    try {
      for (const f of files) await addPhoto(props.parent, f);
    } catch {
      setError(true);
    } finally {
      setBusy(false);
      input.value = '';
    }
  }
  return (
    <div class="photos">
      {photos.map((p) => (
        <Thumb key={p.id} sha256={String(p.fields.sha256)} />
      ))}
      <label class="button">
        {busy ? t('photo.busy') : t('photo.add')}
        <input type="file" accept="image/*" capture="environment" multiple hidden onChange={onFile} />
      </label>
      {error && <span class="error">{t('photo.failed')}</span>}
    </div>
  );
}

/** Any record: its fields, an edit form generated from the schema, void, photos. */
export function RecordDetail(props: { record: LocalRecord }) {
  const [editing, setEditing] = useState(false);
  const r = props.record;
  async function voidIt() {
    const reason = window.prompt(t('cases.voidReason'));
    if (reason === null) return;
    await voidRecord(r, reason);
  }
  return (
    <div class="record-detail">
      <FieldList kind={r.kind} fields={r.fields} />
      {editing ? (
        <KindForm
          kind={r.kind}
          initial={r.fields}
          communityId={r.community_id}
          onCancel={() => setEditing(false)}
          onSubmit={async (fields) => {
            await saveRecord(r.kind, r.community_id, r, fields);
            setEditing(false);
          }}
        />
      ) : (
        <div class="actions">
          <button type="button" onClick={() => setEditing(true)}>{t('record.edit')}</button>
          <button type="button" onClick={() => void voidIt()}>{t('cases.void')}</button>
        </div>
      )}
      <Photos parent={r} />
    </div>
  );
}
