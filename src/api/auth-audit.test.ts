import type { FastifyRequest } from 'fastify';
import { describe, expect, it } from 'vitest';
import type { AuditEntryInput } from '../contracts/audit.js';
import { AuthAudit } from './auth-audit.js';

const T0 = Date.UTC(2026, 4, 1, 10, 0, 0);
const MIN = 60_000;

function rig() {
  const entries: AuditEntryInput[] = [];
  let now = T0;
  const audit = new AuthAudit({ record: (e) => entries.push(e) }, () => now);
  return {
    entries,
    audit,
    at: (ms: number) => {
      now = T0 + ms;
    },
  };
}

const request = (ip: string, url = '/api/v1/people'): FastifyRequest =>
  ({ ip, method: 'GET', url, routeOptions: { url }, headers: { 'user-agent': 'curl/8' } }) as unknown as FastifyRequest;

const token = { id: 'tok-1', role: 'analyst' as const, name: 'analyst one' };

describe('AuthAudit', () => {
  it('records the first use of a token in each hour, with its role and first route', () => {
    const r = rig();
    r.audit.used(token, request('10.0.0.1'));
    r.at(30 * MIN);
    r.audit.used(token, request('10.0.0.1', '/api/v1/sessions'));
    r.at(60 * MIN);
    r.audit.used(token, request('10.0.0.2', '/api/v1/sessions/:id'));
    expect(r.entries).toHaveLength(2);
    expect(r.entries[0]).toMatchObject({
      action: 'token.use',
      actor: { kind: 'token', id: 'tok-1', name: 'analyst one', role: 'analyst' },
      subject: { kind: 'token', id: 'tok-1' },
      source: { ip: '10.0.0.1', userAgent: 'curl/8' },
      details: { role: 'analyst', route: 'GET /api/v1/people', hour: '2026-05-01T10:00:00.000Z' },
    });
    expect(r.entries[1]?.details).toMatchObject({
      route: 'GET /api/v1/sessions/{id}',
      hour: '2026-05-01T11:00:00.000Z',
    });
  });

  it('coalesces refused authentication per address per minute: the first at once, the rest counted', () => {
    const r = rig();
    for (let i = 0; i < 500; i++) r.audit.refused(request('203.0.113.9'), i % 2 ? 'missing token' : 'invalid token');
    r.audit.refused(request('198.51.100.7'), 'missing token');
    expect(r.entries).toHaveLength(2);
    expect(r.entries[0]).toMatchObject({
      action: 'auth.failure',
      actor: { kind: 'anonymous', id: '203.0.113.9' },
      outcome: 'failure',
      details: { count: 1, reason: 'invalid token', route: 'GET /api/v1/people' },
    });
    r.at(MIN + 1);
    r.audit.sweep();
    expect(r.entries).toHaveLength(3);
    expect(r.entries[2]).toMatchObject({
      action: 'auth.failure',
      actor: { kind: 'anonymous', id: '203.0.113.9' },
      details: { count: 499, coalesced: true, reasons: { 'missing token': 250, 'invalid token': 249 } },
    });
    // A new minute starts a new bucket: recorded at once again.
    r.audit.refused(request('203.0.113.9'), 'missing token');
    expect(r.entries).toHaveLength(4);
    r.audit.flush();
    expect(r.entries).toHaveLength(4);
  });

  it('keeps login failures apart from other refusals, and never records what was presented', () => {
    const r = rig();
    r.audit.loginFailed(request('10.1.1.1', '/api/v1/auth/login'));
    r.audit.loginFailed(request('10.1.1.1', '/api/v1/auth/login'));
    r.audit.refused(request('10.1.1.1'), 'invalid token');
    r.audit.flush();
    expect(r.entries.map((e) => [e.action, e.details?.count])).toEqual([
      ['auth.login', 1],
      ['auth.failure', 1],
      ['auth.login', 1],
    ]);
    expect(r.entries.every((e) => e.actor.kind === 'anonymous' && e.outcome === 'failure')).toBe(true);
  });

  it('bounds a flood from many addresses: beyond 1,000 in a minute they share one bucket', () => {
    const r = rig();
    for (let i = 0; i < 5000; i++) r.audit.refused(request(`2001:db8::${i.toString(16)}`), 'invalid token');
    expect(r.entries).toHaveLength(1001);
    expect(r.entries[1000]?.actor).toEqual({ kind: 'anonymous', id: '*' });
    r.audit.flush();
    expect(r.entries).toHaveLength(1002);
    expect(r.entries[1001]?.details).toMatchObject({ count: 3999, coalesced: true });
  });
});
