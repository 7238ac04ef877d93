import { describe, expect, it } from 'vitest';
import { t, tParts } from '../src/i18n';
import { displayValue, fieldLabel, fieldRows, recordTitle } from '../src/present';
import { formatDateTime } from '../src/time';
import type { FieldSpec, KindSpec } from '../src/types';

function field(name: string, label: string, type: FieldSpec['type'], extra: Partial<FieldSpec> = {}): FieldSpec {
  return { name, label, type, required: false, max_length: null, options: null, ref_kind: null, hidden: false, readonly: false, options_from: null, ...extra };
}

// The shape GET /api/v1/schema exports for a case (abridged).
const CASE: KindSpec = {
  kind: 'case',
  label: '诉件',
  parent: null,
  required_when: [],
  title: ['title', 'source'],
  time: null,
  fields: [
    field('title', '诉件标题', 'text'),
    field('category', '问题类别', 'enum', { options: [{ value: '乱堆物', label: '乱堆物' }] }),
    field('source', '来源', 'enum', {
      options: [
        { value: 'residents_committee', label: '居委会转办' },
        { value: 'qr', label: '扫码反映' },
      ],
    }),
    field('status', '办理状态', 'enum'),
    field('reopen_count', '重新打开次数', 'int', { hidden: true }),
    field('due_at', '办理时限', 'datetime'),
    field('visit_id', '所属走访', 'ref', { ref_kind: 'visit' }),
    field('partners', '参与方', 'text_list', { options: [{ value: 'police', label: '派出所' }] }),
    field('urgent', '加急', 'bool'),
    field('gps_in', '签到位置', 'gps'),
    field('voided', '作废', 'bool', { hidden: true }),
  ],
};
const STAGES = [{ value: 'accepted', label: '已受理' }];

describe('present', () => {
  it('turns a rejected mutation into labelled rows a person reads', () => {
    const rows = fieldRows(
      CASE,
      {
        title: '楼道\u202e堆物',
        category: '乱堆物',
        source: 'residents_committee',
        status: 'accepted',
        reopen_count: 0,
        due_at: '2026-03-01T09:30:00+08:00',
        visit_id: '0195f3a2-7c1e-7000-8000-000000000001',
        partners: ['police', '物业'],
        urgent: false,
        gps_in: { lat: 31.2, lon: 121.5, accuracy_m: 8 },
        voided: false,
        not_in_schema: 'x',
      },
      STAGES,
    );
    expect(rows.map((r) => [r.label, r.value])).toEqual([
      ['诉件标题', '楼道\u202e堆物'],
      ['问题类别', '乱堆物'],
      ['来源', '居委会转办'],
      ['办理状态', '已受理'],
      ['办理时限', formatDateTime('2026-03-01T09:30:00+08:00')],
      ['参与方', '派出所、物业'],
      ['加急', '否'],
      ['签到位置', t('value.gps', { lat: 31.2, lon: 121.5 })],
    ]);
    const shown = rows.map((r) => `${r.label}${r.value}`).join('\n');
    for (const raw of ['residents_committee', 'accepted', 'police', '0195f3a2', 'not_in_schema', 'reopen', '{', 'T09']) {
      expect(shown).not.toContain(raw);
    }
  });

  it('never prints JSON, whatever object a field holds', () => {
    for (const value of [{}, { a: 1 }, [{ a: 1 }], { lat: '31' }]) {
      expect(displayValue(field('x', 'X', 'text'), value)).not.toContain('{');
    }
  });

  it('labels only a case status by the lattice stages', () => {
    expect(fieldRows({ ...CASE, kind: 'rectification' }, { status: 'accepted' }, STAGES)).toEqual([
      { name: 'status', label: '办理状态', value: 'accepted' },
    ]);
  });

  it('names the top-level field of an error path, or nothing', () => {
    expect(fieldLabel(CASE, 'title')).toBe('诉件标题');
    expect(fieldLabel(CASE, 'partners[0]')).toBe('参与方');
    expect(fieldLabel(CASE, 'gps_in.lat')).toBe('签到位置');
    expect(fieldLabel(CASE, 'nope')).toBeUndefined();
    expect(fieldLabel(CASE, undefined)).toBeUndefined();
    expect(fieldLabel(null, 'title')).toBeUndefined();
  });

  it('names a record by the first of its kind\'s title fields that is set, a choice by its label', () => {
    expect(recordTitle(CASE, { title: '楼道堆物', source: 'qr' })).toBe('楼道堆物');
    expect(recordTitle(CASE, { title: '', source: 'qr' })).toBe('扫码反映');
    expect(recordTitle(CASE, { category: '乱堆物' })).toBe('');
    expect(recordTitle(null, { title: '楼道堆物' })).toBe('');
  });

  it('splits a message at its placeholders so user text can be isolated', () => {
    expect(tParts('sync.reason', { message: 'M', field: 'F' })).toEqual(['原因：', 'M', '', 'F', '']);
    expect(t('sync.reason', { message: '字段取值不正确', field: t('sync.reasonField', { label: '诉件标题' }) })).toBe(
      '原因：字段取值不正确（诉件标题）',
    );
  });
});
