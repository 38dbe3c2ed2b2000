import { describe, expect, it } from 'vitest';
import {
  auditEntry,
  decisionRow,
  eventRow,
  exportAuditRow,
  exportEventRow,
} from '../../test/support/export-fixtures.js';
import { recordFromAudit, recordFromEvent } from './export-record.js';
import { OCSF_VERSION, toOcsf } from './ocsf.js';

/**
 * What OCSF 1.8.0 requires (anchors-audit-siem-dlp.md B1): the base event's required attributes, type_uid =
 * class_uid × 100 + activity_id, class_uid = category_uid × 1000 + class number, and each class's own requirements.
 */
function expectBase(e: Record<string, unknown>): void {
  for (const k of ['activity_id', 'category_uid', 'class_uid', 'metadata', 'severity_id', 'time', 'type_uid']) {
    expect(e, k).toHaveProperty(k);
  }
  expect(e.type_uid).toBe((e.class_uid as number) * 100 + (e.activity_id as number));
  expect(Math.floor((e.class_uid as number) / 1000)).toBe(e.category_uid);
  expect([0, 1, 2, 3, 4, 5, 6, 99]).toContain(e.severity_id);
  const md = e.metadata as { version: string; product: Record<string, string>; uid: string };
  expect(md.version).toBe(OCSF_VERSION);
  expect(md.product).toMatchObject({ name: 'Steward', vendor_name: 'Steward' });
  expect(typeof md.product.version).toBe('string');
  expect(md.uid).toBeTruthy();
}

describe('OCSF 1.8.0', () => {
  it('renders a model request as API Activity 6003 with the ai_operation profile (model, tokens)', () => {
    const row = exportEventRow(
      eventRow({
        time: 1_760_000_000_000,
        input_tokens: 100,
        cache_read_tokens: 50,
        cache_write_tokens: 10,
        output_tokens: 20,
        request_id: 'req_1',
        person_id: 'p1',
      }),
      { email: 'ann@example.com' },
    );
    const e = toOcsf(recordFromEvent(row));
    expectBase(e);
    expect(e).toMatchObject({
      class_uid: 6003,
      category_uid: 6,
      activity_id: 1,
      type_uid: 600301,
      severity_id: 1,
      time: 1_760_000_000_000,
      status_id: 1,
      actor: { user: { uid: 'p1', email_addr: 'ann@example.com' }, session: { uid: 'sess-1' } },
      api: { operation: 'claude_code.api_request', request: { uid: 'req_1' } },
      src_endpoint: { name: 'claude_code' },
      ai_model: { name: 'claude-sonnet-4-5', ai_provider: 'Anthropic' },
      message_context: { ai_role_id: 2, prompt_tokens: 160, completion_tokens: 20, total_tokens: 180 },
      duration: 800,
    });
    expect((e.metadata as { profiles: string[] }).profiles).toEqual(['ai_operation']);
    expect((e.unmapped as { steward: Record<string, unknown> }).steward).toMatchObject({ cost_usd: 0.001234 });
  });

  it('renders a deny on secrets as Data Security Finding 2006 and an injection block as Detection Finding 2004', () => {
    const dlp = toOcsf(
      recordFromEvent(
        exportEventRow(decisionRow('deny', { rule: 'no-secrets', types: ['github_token'], classes: ['secret'] })),
      ),
    );
    expectBase(dlp);
    expect(dlp).toMatchObject({
      class_uid: 2006,
      category_uid: 2,
      activity_id: 1,
      type_uid: 200601,
      severity_id: 4,
      is_alert: true,
      finding_info: { analytic: { uid: 'no-secrets', type_id: 1 }, types: ['github_token'] },
      data_security: { detection_system_id: 10, data_lifecycle_state_id: 2, detection_pattern: 'github_token' },
    });
    expect((dlp.finding_info as { uid: string }).uid).toBe((dlp.metadata as { uid: string }).uid);
    const det = toOcsf(
      recordFromEvent(
        exportEventRow(decisionRow('warn', { rule: 'injection', types: ['prompt_injection'], classes: ['injection'] })),
      ),
    );
    expectBase(det);
    expect(det).toMatchObject({
      class_uid: 2004,
      type_uid: 200401,
      severity_id: 2,
      finding_info: { title: expect.any(String) },
    });
    // An allow is activity, not a finding.
    expect(toOcsf(recordFromEvent(exportEventRow(decisionRow('allow')))).class_uid).toBe(6003);
  });

  it('renders logins and failed logins as Authentication 3002 with the user, other audit entries as 6003', () => {
    const fail = toOcsf(
      recordFromAudit(
        exportAuditRow(
          auditEntry('auth.failure', {
            outcome: 'failure',
            actor: { kind: 'anonymous', id: 'stw_admin_…' },
            source: { ip: '10.0.0.9' },
          }),
        ),
      ),
    );
    expectBase(fail);
    expect(fail).toMatchObject({
      class_uid: 3002,
      category_uid: 3,
      type_uid: 300201,
      status_id: 2,
      severity_id: 3,
      user: { uid: 'stw_admin_…' },
      src_endpoint: { ip: '10.0.0.9' },
    });
    const create = toOcsf(
      recordFromAudit(exportAuditRow(auditEntry('keys.create', { subject: { kind: 'token', id: 't2' } }), 3)),
    );
    expectBase(create);
    expect(create).toMatchObject({
      class_uid: 6003,
      activity_id: 1,
      api: { operation: 'keys.create' },
      actor: { user: { uid: 'tok_1', name: 'ops admin' } },
      resources: [{ type: 'token', uid: 't2' }],
      unmapped: { steward: { audit_index: 3 } },
    });
    const revoke = toOcsf(recordFromAudit(exportAuditRow(auditEntry('keys.delete'))));
    expect(revoke).toMatchObject({ activity_id: 4, type_uid: 600304 });
  });
});
