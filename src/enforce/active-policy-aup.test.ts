import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { engines, openTestStore, type TestStore } from '../../test/support/engines.js';
import type { DecisionRequest } from '../contracts/policy-decision.js';
import { compileAup } from '../govern/aup-rules.js';
import { createObject } from '../govern/governance-objects.js';
import { loadPolicy } from '../policy/load.js';
import { ActivePolicy } from './active-policy.js';

/**
 * The acceptable-use policy's machine rules reach the policy engine (issue 6): an active AUP in the governance
 * inventory stops a group from sending a data class on a surface, its allow rules exempt their groups, and a draft
 * AUP changes nothing.
 */
const defaultText = readFileSync(new URL('../../policies/default.yaml', import.meta.url), 'utf8');

const AUP_RULES = [
  { groups: ['*'], data_classes: ['financial', 'cookies'], surfaces: ['claude_code', 'api'], effect: 'deny' },
  { groups: ['department:finance'], data_classes: ['financial'], surfaces: ['claude_code'], effect: 'allow' },
] as const;

function prompt(surface: 'claude_code' | 'api', department: string): DecisionRequest {
  return {
    point: 'claude_code_hook',
    stage: 'prompt',
    surface,
    subject: { email: 'someone@example.com', department },
    findings: [],
    time: Date.UTC(2026, 10, 21, 12),
    sessionId: null,
  };
}

const rulesInput = () =>
  AUP_RULES.map((r) => ({ ...r, groups: [...r.groups], data_classes: [...r.data_classes], surfaces: [...r.surfaces] }));

describe('compiling machine rules', () => {
  it('makes one deny rule per data class and surface, exempts allowed groups, and reports what cannot be enforced', () => {
    const aup = compileAup([{ id: 'aup1', name: 'AUP', rules: rulesInput() }]);
    expect(aup.rules.map((r) => r.id)).toEqual(['aup-aup1-1-financial-claude_code', 'aup-aup1-1-financial-api']);
    expect(aup.rules[0]?.except).toEqual({ departments: ['finance'] });
    expect(aup.rules[1]?.except).toBeUndefined();
    expect(aup.skipped).toEqual(['policy "AUP" rule 1: "cookies" is not a detector class or type']);
    // Every surface (`*`): the rule names none.
    const everywhere = compileAup([
      {
        id: 'aup2',
        name: 'AUP',
        rules: [{ groups: ['team:ops'], data_classes: ['secret'], surfaces: ['*'], effect: 'deny' }],
      },
    ]);
    expect(everywhere.rules[0]).toMatchObject({ id: 'aup-aup2-1-secret-all', subjects: { teams: ['ops'] } });
    expect(everywhere.rules[0]?.subjects).not.toHaveProperty('surfaces');
    // The compiled rules are valid policy-language rules.
    const loaded = loadPolicy(`version: 1\nname: t\nrules: ${JSON.stringify(aup.rules)}`);
    expect(loaded.ok).toBe(true);
  });
});

describe.each(engines)('the acceptable-use policy in the active policy on %s', (dialect) => {
  let t: TestStore;
  beforeEach(async () => {
    t = await openTestStore(dialect);
  });
  afterEach(async () => {
    await t.cleanup();
  });

  const active = () =>
    new ActivePolicy(
      t.store,
      0,
      () => ({ text: defaultText, version: 'default' }),
      (err) => {
        throw err;
      },
    );

  it('denies a card number to someone outside finance on Claude Code, not to finance there, and to everyone on the API', async () => {
    await createObject(
      t.store,
      'policy',
      {
        name: 'Acceptable use of AI',
        owner: 'ciso@example.com',
        status: 'active',
        rules: rulesInput(),
      } as never,
      'test',
    );
    const { engine, version, text } = await active().refresh();
    expect(version).toMatch(/^default\+aup\.[0-9a-f]{12}$/);
    expect(text).toContain('aup-'); // command hooks' local copy carries the same rules
    // A Luhn-valid card number that is not one of the published test numbers.
    const findings = engine.scan('pay with card 4929 1234 5678 9015 today');
    expect(findings.map((f) => f.type)).toContain('payment_card');
    const decide = (surface: 'claude_code' | 'api', department: string) =>
      engine.evaluate({ ...prompt(surface, department), findings });
    const sales = decide('claude_code', 'sales');
    expect(sales.action).toBe('deny');
    expect(sales.ruleId).toMatch(/^aup-.*-financial-claude_code$/);
    expect(sales.message).toContain('Acceptable use of AI');
    expect(decide('claude_code', 'finance').ruleId ?? '').not.toMatch(/^aup-/);
    expect(decide('api', 'finance').ruleId).toMatch(/^aup-.*-financial-api$/);
  });

  it('ignores a draft acceptable-use policy', async () => {
    await createObject(
      t.store,
      'policy',
      {
        name: 'Draft AUP',
        owner: 'ciso@example.com',
        status: 'draft',
        rules: [{ groups: ['*'], data_classes: ['financial'], surfaces: ['claude_code'], effect: 'deny' }],
      } as never,
      'test',
    );
    const { version, text } = await active().refresh();
    expect(version).toBe('default');
    expect(text).toBe(defaultText);
  });
});
