import { describe, expect, it } from 'vitest';
import type { BudgetSubject } from '../contracts/budget.js';
import { formatScope, parseScope, scopeKey, scopeOwner, subjectScopeKeys } from './budget-scope.js';

const subject: BudgetSubject = {
  personId: 'p1',
  email: 'Ann@Example.com',
  department: 'Engineering',
  team: 'Platform',
  agent: null,
  workflow: 'nightly-review',
  keyId: 'k1',
};

describe('budget scopes', () => {
  it('parses every scope kind, lower-casing emails only', () => {
    expect(parseScope('org')).toEqual({ kind: 'org', value: null });
    expect(parseScope('person:Ann@Example.com')).toEqual({ kind: 'person', value: 'ann@example.com' });
    expect(parseScope('team:Platform')).toEqual({ kind: 'team', value: 'Platform' });
    expect(parseScope('agent:release-bot')).toEqual({ kind: 'agent', value: 'release-bot' });
    expect(parseScope('key:3f2a')).toEqual({ kind: 'key', value: '3f2a' });
    expect(formatScope(parseScope('workflow:a:b'))).toBe('workflow:a:b');
  });

  it('refuses unknown kinds and missing values, naming what is accepted', () => {
    expect(() => parseScope('group:x')).toThrow(/person:EMAIL/);
    expect(() => parseScope('team:')).toThrow(/needs a value/);
    expect(() => parseScope('org:acme')).toThrow(/scope must be/);
  });

  it('lists the scopes a subject falls under, org always, absent attributes never', () => {
    expect(subjectScopeKeys(subject)).toEqual([
      scopeKey({ kind: 'org', value: null }),
      scopeKey({ kind: 'department', value: 'Engineering' }),
      scopeKey({ kind: 'team', value: 'Platform' }),
      scopeKey({ kind: 'person', value: 'ann@example.com' }),
      scopeKey({ kind: 'workflow', value: 'nightly-review' }),
      scopeKey({ kind: 'key', value: 'k1' }),
    ]);
  });

  it('names the owner of a budget the way a refusal message addresses the person', () => {
    expect(scopeOwner({ kind: 'team', value: 'Platform' })).toBe("Your team's");
    expect(scopeOwner({ kind: 'person', value: 'a@b' })).toBe('Your');
    expect(scopeOwner({ kind: 'agent', value: 'bot' })).toBe('The agent "bot"\'s');
    expect(scopeOwner({ kind: 'org', value: null })).toBe("Your organisation's");
  });
});
