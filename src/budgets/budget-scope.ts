import { budgetScopeKinds, type BudgetScope, type BudgetScopeKind, type BudgetSubject } from '../contracts/budget.js';
import { AppError } from '../errors/app-error.js';

/**
 * Budget scopes as text (`person:ann@example.com`, `team:Platform`, `org`) for the API and the CLI, and which
 * scopes a request's subject falls under. Emails compare lower-cased (the identity rule); other names exactly.
 */
const MAX_VALUE = 320;

export function parseScope(text: string): BudgetScope {
  const trimmed = text.trim();
  if (trimmed === 'org') return { kind: 'org', value: null };
  const colon = trimmed.indexOf(':');
  const kind = colon < 0 ? trimmed : trimmed.slice(0, colon);
  const value = colon < 0 ? '' : trimmed.slice(colon + 1).trim();
  if (!(budgetScopeKinds as readonly string[]).includes(kind) || kind === 'org') {
    throw new AppError(
      'bad_request',
      `scope must be org or one of person:EMAIL, team:T, department:D, agent:A, workflow:W, key:ID; got "${text}"`,
    );
  }
  if (value === '' || value.length > MAX_VALUE) {
    throw new AppError('bad_request', `scope "${kind}" needs a value of 1 to ${MAX_VALUE} characters`);
  }
  return { kind: kind as BudgetScopeKind, value: kind === 'person' ? value.toLowerCase() : value };
}

export const formatScope = (s: BudgetScope): string => (s.kind === 'org' ? 'org' : `${s.kind}:${s.value ?? ''}`);

/** The subject's value for a scope kind (emails lower-cased); null when the subject has none. */
export function subjectValue(subject: BudgetSubject, kind: BudgetScopeKind): string | null {
  switch (kind) {
    case 'org':
      return '';
    case 'person':
      return subject.email ? subject.email.toLowerCase() : null;
    case 'department':
      return subject.department;
    case 'team':
      return subject.team;
    case 'agent':
      return subject.agent;
    case 'workflow':
      return subject.workflow;
    case 'key':
      return subject.keyId;
  }
}

/** `kind\u0000value` keys of every scope the subject falls under, for an indexed lookup of applicable budgets. */
export function subjectScopeKeys(subject: BudgetSubject): string[] {
  const keys: string[] = [];
  for (const kind of budgetScopeKinds) {
    const v = subjectValue(subject, kind);
    if (v !== null) keys.push(scopeKey({ kind, value: kind === 'org' ? null : v }));
  }
  return keys;
}

export const scopeKey = (s: BudgetScope): string => `${s.kind}\u0000${s.value ?? ''}`;

/** How messages name a scope from the point of view of the person refused: "Your team's", "The organisation's"… */
export function scopeOwner(s: BudgetScope): string {
  switch (s.kind) {
    case 'org':
      return "Your organisation's";
    case 'person':
      return 'Your';
    case 'key':
      return "This API key's";
    case 'team':
    case 'department':
      return `Your ${s.kind}'s`;
    case 'agent':
    case 'workflow':
      return `The ${s.kind} "${s.value ?? ''}"'s`;
  }
}
