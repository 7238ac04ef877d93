import { describe, expect, it } from 'vitest';
import type { Community, Fields, KindSpec } from '../src/types';
import { missingFields, missingMessage, requiredOnCreation, sourcedOptions, withSourcedOptions } from '../src/validate';
import fixture from './fixtures/required-fields.json';

interface Scenario {
  scenario: string;
  kind: string;
  creating: boolean;
  fields: Fields;
  missing: string[];
}

// The kinds as GET /api/v1/schema exports them, and scenarios the server refuses for
// the same fields (both checked by tests/test_wire_types.py).
const doc = fixture as unknown as { kinds: KindSpec[]; scenarios: Scenario[] };
const kind = (name: string): KindSpec => {
  const found = doc.kinds.find((k) => k.kind === name);
  if (!found) throw new Error(`no ${name} in the fixture`);
  return found;
};

describe('missing fields, as the server names them', () => {
  for (const s of doc.scenarios) {
    it(s.scenario, () => {
      expect(missingFields(kind(s.kind), s.fields, { creating: s.creating }).map((m) => m.field)).toEqual(s.missing);
    });
  }

  it('a feedback step missing its channel is refused with the rule that requires it, in Chinese', () => {
    const step = kind('case_step');
    const [first] = missingFields(step, { case_id: 'case-1', action: 'feedback', content: '已告知' }, { creating: true });
    expect(first).toEqual({ field: 'channel', when: { field: 'action', value: 'feedback' } });
    expect(missingMessage(step, first!)).toBe('处置动作为「反馈诉求人」时，反馈方式为必填项');
  });

  it('a field the kind always requires is named by its label alone', () => {
    const rectification = kind('rectification');
    const [first] = missingFields(rectification, { inspection_id: 'i-1', action_required: '清理' }, { creating: true });
    expect(missingMessage(rectification, first!)).toBe('整改期限为必填项');
  });

  it('choosing 反馈诉求人 marks the channel and content required; a note does not', () => {
    const step = kind('case_step');
    expect(requiredOnCreation(step, { action: 'feedback' })).toEqual(new Set(['case_id', 'action', 'channel', 'content']));
    expect(requiredOnCreation(step, { action: 'note' })).toEqual(new Set(['case_id', 'action']));
  });
});

describe('options from the community', () => {
  const community = (companies: { id: string; name: string }[]): Community => ({
    id: 'c-1', name: '虹叶社区', squad_id: 'sq-1', property_companies: companies,
  });

  it("a property inspection chooses among its community's property companies", () => {
    const fields = withSourcedOptions(kind('property_inspection').fields, sourcedOptions(community([
      { id: 'pc-1', name: '绿城物业' }, { id: 'pc-2', name: '万科物业' },
    ])));
    const company = fields.find((f) => f.name === 'property_company_id');
    expect(company?.type).toBe('enum');
    expect(company?.options).toEqual([{ value: 'pc-1', label: '绿城物业' }, { value: 'pc-2', label: '万科物业' }]);
    // Fields with options of their own keep them.
    expect(fields.find((f) => f.name === 'result')?.options?.map((o) => o.value)).toEqual(['pass', 'needs_rectification', 'fail']);
  });

  it('a community linked to no company, or none known, leaves the field free text', () => {
    for (const c of [community([]), undefined]) {
      const company = withSourcedOptions(kind('property_inspection').fields, sourcedOptions(c)).find((f) => f.name === 'property_company_id');
      expect(company?.type).toBe('text');
      expect(company?.options).toBeNull();
    }
  });
});
