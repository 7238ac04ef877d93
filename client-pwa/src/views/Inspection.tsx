import { useState } from 'preact/hooks';
import { currentDb } from '../account';
import type { LocalRecord } from '../db';
import { saveRecord } from '../edits';
import { t } from '../i18n';
import { kindLabel, kindSpec, profile } from '../profile';
import { childrenOf } from '../records';
import { describe, Photos, RecordDetail, UserText } from './common';
import { KindForm } from './RecordForm';
import { useLive, useValue } from './hooks';

/** Property inspection: the bureau's checklist from schema/, then rectifications. */
export function Inspection(props: { inspection: LocalRecord }) {
  const insp = props.inspection;
  const children = useLive(
    () => {
      const db = currentDb();
      return db ? childrenOf(db, insp) : Promise.resolve([]);
    },
    [insp.id],
    [] as LocalRecord[],
  );
  const items = children.filter((c) => c.kind === 'inspection_item');
  const rectifications = children.filter((c) => c.kind === 'rectification');
  const answered = new Map(items.map((i) => [String(i.fields.item), i]));
  const [answers, setAnswers] = useState<Record<string, string>>({});
  const [rectifying, setRectifying] = useState(false);
  const [openRect, setOpenRect] = useState<string | null>(null);
  const checklist = useValue(profile).schema?.checklist.items ?? [];
  // An answer's choices and their labels, as the schema gives the item's result.
  const results = kindSpec('inspection_item')?.fields.find((f) => f.name === 'result')?.options ?? [];

  async function saveChecklist() {
    for (const [item, result] of Object.entries(answers)) {
      const existing = answered.get(item) ?? null;
      if (existing && existing.fields.result === result) continue;
      await saveRecord('inspection_item', insp.community_id, existing, existing ? { result } : { inspection_id: insp.id, item, result });
    }
    setAnswers({});
  }

  return (
    <div class="inspection">
      <h4>{t('inspection.checklist')}</h4>
      <ul class="checklist">
        {checklist.map((item) => {
          const current = answers[item.id] ?? (answered.get(item.id)?.fields.result as string | undefined);
          return (
            <li key={item.id} data-item={item.id}>
              <span>{item.group} · {item.label}</span>
              {results.map((r) => (
                <label key={r.value} class="radio">
                  <input
                    type="radio"
                    name={`item-${insp.id}-${item.id}`}
                    value={r.value}
                    checked={current === r.value}
                    onChange={() => setAnswers((a) => ({ ...a, [item.id]: r.value }))}
                  />
                  {r.label}
                </label>
              ))}
            </li>
          );
        })}
      </ul>
      <button type="button" class="primary" onClick={() => void saveChecklist()}>{t('inspection.saveChecklist')}</button>
      <ul class="list">
        {rectifications.map((r) => (
          <li key={r.id}>
            <div class="clickable" onClick={() => setOpenRect(openRect === r.id ? null : r.id)}>
              <span class="tag">{kindLabel('rectification')}</span> <UserText>{describe(r)}</UserText>
            </div>
            {/* Followed to the end: status and recheck result are edited here. */}
            {openRect === r.id && <RecordDetail record={r} />}
          </li>
        ))}
      </ul>
      {rectifying ? (
        <KindForm
          kind="rectification"
          fixed={{ inspection_id: insp.id }}
          onCancel={() => setRectifying(false)}
          onSubmit={async (fields) => {
            await saveRecord('rectification', insp.community_id, null, fields);
            setRectifying(false);
          }}
        />
      ) : (
        <button type="button" onClick={() => setRectifying(true)}>{t('inspection.rectify')}</button>
      )}
      <Photos parent={insp} />
    </div>
  );
}
