import { describe, expect, it } from 'vitest';
import { loadPolicy } from './load.js';
import { caseRequest, parseTestFile, runCase } from './test-cases.js';

const r = loadPolicy('version: 1\nname: t\nrules:\n  - { id: s, action: deny, when: { content: secret } }\n');
if (!r.ok) throw new Error('test policy does not load');

describe('policy test cases', () => {
  it('parses a cases file and names what is wrong in a bad one', () => {
    const ok = parseTestFile('cases:\n  - { name: a, input: { stage: prompt }, expect: { action: allow } }\n');
    expect(ok.ok && ok.file.cases[0]?.input).toMatchObject({ stage: 'prompt', point: 'claude_code_hook' });
    const bad = parseTestFile('cases:\n  - { name: a, input: { stag: prompt }, expect: { action: allow } }\n');
    expect(!bad.ok && bad.error).toMatch(/cases\.0\.input: Unrecognized key: "stag"/);
    expect(parseTestFile('cases: [').ok).toBe(false);
  });

  it('builds the request from given findings plus whatever the scanner finds in text', () => {
    const req = caseRequest(
      {
        stage: 'prompt',
        point: 'gateway',
        surface: 'api',
        subject: {},
        text: 'x',
        findings: [{ type: 'iban' }],
        time: '2026-01-01T00:00:00Z',
      },
      () => [{ type: 'email', class: 'personal', start: 0, end: 1, confidence: 0.9, validator: 'none' }],
    );
    expect(req.findings.map((f) => `${f.type}/${f.class}`)).toEqual(['iban/financial', 'email/personal']);
    expect(req.time).toBe(Date.parse('2026-01-01T00:00:00Z'));
  });

  it('reports every way a case fails', () => {
    const input = {
      stage: 'prompt' as const,
      point: 'claude_code_hook' as const,
      surface: 'claude_code' as const,
      subject: {},
    };
    const res = runCase(
      r.policy,
      {
        name: 'x',
        input: { ...input, findings: [{ type: 'jwt' }] },
        expect: { action: 'allow', rule: null, messageContains: 'hello' },
      },
      () => [],
    );
    expect(res.passed).toBe(false);
    expect(res.problems).toEqual([
      'expected allow, got deny (rule s)',
      'expected rule default, got s',
      expect.stringMatching(/^message does not contain "hello": Steward stopped/),
    ]);
    expect(runCase(r.policy, { name: 'y', input, expect: { action: 'allow', rule: null } }, () => []).passed).toBe(
      true,
    );
  });
});
