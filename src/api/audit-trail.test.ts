import { describe, expect, it } from 'vitest';
import { auditEntrySchema } from '../contracts/audit.js';
import { openApiPath, routeAction } from './audit-trail.js';

/** The action-name rule of docs/audit.md "Action names", on the mutating routes Steward has. */
describe('routeAction', () => {
  const cases: [string, string, string, string, string | null][] = [
    // method, template, action, subject kind, id parameter
    ['POST', '/api/v1/keys', 'keys.create', 'keys', null],
    ['DELETE', '/api/v1/keys/:id', 'keys.delete', 'keys', 'id'],
    ['POST', '/api/v1/budgets', 'budgets.create', 'budgets', null],
    ['DELETE', '/api/v1/budgets/:id', 'budgets.delete', 'budgets', 'id'],
    ['POST', '/api/v1/budgets/:id/pause', 'budgets.pause', 'budgets', 'id'],
    ['POST', '/api/v1/budgets/resume', 'budgets.resume', 'budgets', null],
    ['POST', '/api/v1/policy/versions', 'policy.versions.create', 'policy.versions', null],
    ['POST', '/api/v1/policy/versions/:id/activate', 'policy.versions.activate', 'policy.versions', 'id'],
    ['POST', '/api/v1/policy/evaluate', 'policy.evaluate', 'policy', null],
    ['POST', '/api/v1/governance/connectors', 'governance.connectors.create', 'governance.connectors', null],
    ['PATCH', '/api/v1/governance/skills/:id', 'governance.skills.update', 'governance.skills', 'id'],
    ['DELETE', '/api/v1/governance/workspaces/:id', 'governance.workspaces.delete', 'governance.workspaces', 'id'],
    ['POST', '/api/v1/governance/policies/:id/review', 'governance.policies.review', 'governance.policies', 'id'],
    [
      'POST',
      '/api/v1/governance/connectors/:id/decision',
      'governance.connectors.decision',
      'governance.connectors',
      'id',
    ],
    [
      'POST',
      '/api/v1/governance/policies/:id/versions',
      'governance.policies.versions.create',
      'governance.policies',
      'id',
    ],
    [
      'POST',
      '/api/v1/governance/meetings/:id/decisions',
      'governance.meetings.decisions.create',
      'governance.meetings',
      'id',
    ],
    ['POST', '/api/v1/governance/skills/import', 'governance.skills.import', 'governance.skills', null],
    ['POST', '/api/v1/governance/import', 'governance.import', 'governance', null],
    ['PUT', '/api/v1/governance/raci', 'governance.raci.update', 'governance.raci', null],
    ['PATCH', '/api/v1/governance/raci', 'governance.raci.update', 'governance.raci', null],
    [
      'POST',
      '/api/v1/governance/calendar-feeds',
      'governance.calendar_feeds.create',
      'governance.calendar_feeds',
      null,
    ],
    [
      'POST',
      '/api/v1/governance/calendar-feeds/rotate',
      'governance.calendar_feeds.rotate',
      'governance.calendar_feeds',
      null,
    ],
    ['POST', '/api/v1/audit/checkpoint', 'audit.checkpoint', 'audit', null],
    ['POST', '/api/v1/audit/holds', 'audit.holds.create', 'audit.holds', null],
    ['DELETE', '/api/v1/audit/holds/{id}', 'audit.holds.delete', 'audit.holds', 'id'],
    ['POST', '/api/v1/exports/sinks/{name}/requeue', 'exports.sinks.requeue', 'exports.sinks', 'name'],
  ];
  it.each(cases)('%s %s → %s', (method, template, action, resource, idParam) => {
    expect(routeAction(method, template)).toEqual({ action, resource, idParam });
    const entry = { v: 1, time: 0, actor: { kind: 'system', id: 'x' }, action, subject: { kind: resource, id: '' } };
    expect(auditEntrySchema.safeParse(entry).success).toBe(true);
  });

  it('is null outside /api/v1/ (ingest, hooks, gateway are not admin actions)', () => {
    for (const url of ['/v1/logs', '/hooks/claude-code', '/gateway/anthropic/v1/messages', '/api/v1/', '/metrics']) {
      expect(routeAction('POST', url), url).toBeNull();
    }
  });

  it('writes Fastify templates in the OpenAPI form', () => {
    expect(openApiPath('/api/v1/governance/meetings/:id/agenda.md')).toBe('/api/v1/governance/meetings/{id}/agenda.md');
  });
});
