import { describe, expect, it } from 'vitest';
import type { Finding } from '../contracts/detection.js';
import type { DecisionRequest } from '../contracts/policy-decision.js';
import type { CompiledPolicy } from './compile.js';
import { evaluate, failureStance } from './evaluate.js';
import { loadPolicy } from './load.js';

function policy(rules: string, head = ''): CompiledPolicy {
  const r = loadPolicy(`version: 1\nname: test\n${head}rules:\n${rules}`, { version: 'v-test' });
  if (!r.ok) throw new Error(r.errors.map((e) => `${e.line}: ${e.message}`).join('\n'));
  return r.policy;
}

const T = Date.parse('2026-11-18T10:30:00Z'); // a Wednesday

function req(over: Partial<DecisionRequest> = {}): DecisionRequest {
  return {
    point: 'claude_code_hook',
    stage: 'prompt',
    surface: 'claude_code',
    subject: { personId: 'p1', email: 'ann@example.com', team: 'Payments', department: 'Engineering', groups: [] },
    findings: [],
    time: T,
    ...over,
  };
}

function finding(type: Finding['type'], cls: Finding['class'], over: Partial<Finding> = {}): Finding {
  return { type, class: cls, start: 0, end: 4, confidence: 0.9, validator: 'none', ...over };
}

const awsKey = finding('aws_access_key_id', 'secret', { start: 10, end: 30 });
const email = finding('email', 'personal', { start: 40, end: 55 });

describe('precedence', () => {
  const p = policy(`
  - { id: w, action: warn }
  - { id: d, action: deny, when: { content: secret } }
  - { id: a, action: ask, when: { content: secret } }
  - { id: r, action: redact, when: { content: personal } }
  - { id: d2, action: deny, when: { content: secret } }
`);

  it('the most restrictive match wins, the first rule among equals; every match is listed', () => {
    const d = evaluate(p, req({ findings: [awsKey, email] }));
    expect(d.action).toBe('deny');
    expect(d.ruleId).toBe('d');
    expect(d.matches.map((m) => `${m.ruleId}:${m.action}`)).toEqual([
      'd:deny',
      'd2:deny',
      'a:ask',
      'r:redact',
      'w:warn',
    ]);
    expect(d.matches[0]).toMatchObject({ types: ['aws_access_key_id'], classes: ['secret'] });
    expect(d.policyVersion).toBe('v-test');
  });

  it('redact beats warn and lists what to replace', () => {
    const d = evaluate(p, req({ findings: [email] }));
    expect(d.action).toBe('redact');
    expect(d.redact).toEqual([email]);
  });

  it('nothing matching gives the policy default, with no message for allow', () => {
    const q = policy(`  - { id: x, action: deny, when: { content: secret } }`);
    expect(evaluate(q, req())).toMatchObject({ action: 'allow', ruleId: null, message: null, matches: [] });
    const strict = policy(
      `  - { id: ok, action: allow, when: { tools: ["Bash(npm test *)"] } }`,
      'defaults: { action: ask }\n',
    );
    expect(evaluate(strict, req({ stage: 'tool_call', tool: 'Bash', toolInput: { command: 'make' } })).action).toBe(
      'ask',
    );
    expect(evaluate(strict, req({ stage: 'tool_call', tool: 'Bash', toolInput: { command: 'npm test' } })).action).toBe(
      'allow',
    );
  });

  it('a disabled rule never matches', () => {
    const q = policy(`  - { id: off, action: deny, enabled: false }`);
    expect(evaluate(q, req()).action).toBe('allow');
  });
});

describe('content conditions', () => {
  it('ignores documented example values unless asked, and findings below minConfidence', () => {
    const p = policy(`
  - { id: s, action: deny, when: { content: secret, minConfidence: 0.8 } }
  - { id: ex, action: warn, when: { types: aws_access_key_id, includeExamples: true } }
`);
    const example = { ...awsKey, example: true };
    expect(evaluate(p, req({ findings: [example] })).ruleId).toBe('ex');
    expect(evaluate(p, req({ findings: [{ ...awsKey, confidence: 0.7 }] })).ruleId).toBe('ex');
    expect(evaluate(p, req({ findings: [awsKey] })).ruleId).toBe('s');
  });

  it('content classes and detector types combine by OR', () => {
    const p = policy(`  - { id: x, action: warn, when: { content: financial, types: email } }`);
    expect(evaluate(p, req({ findings: [email] })).action).toBe('warn');
    expect(evaluate(p, req({ findings: [finding('iban', 'financial')] })).action).toBe('warn');
    expect(evaluate(p, req({ findings: [finding('phone', 'personal')] })).action).toBe('allow');
  });

  it('a redact rule narrows what it replaces with redact:', () => {
    const p = policy(`  - { id: r, action: redact, when: { content: personal }, redact: email }`);
    const phone = finding('phone', 'personal', { start: 60, end: 70 });
    expect(evaluate(p, req({ findings: [phone, email] })).redact).toEqual([email]);
  });
});

describe('subjects', () => {
  const p = policy(`
  - id: finance
    action: deny
    subjects: { departments: finance, groups: [Contractors] }
  - id: payments-cowork
    action: ask
    subjects: { teams: payments, surfaces: cowork }
  - id: externals
    action: warn
    subjects: { people: ["*@partner.example"] }
  - id: everyone-but-security
    action: warn
    when: { stage: tool_call }
    except: { teams: security }
`);

  it('matches departments, IdP groups (case-insensitively), email globs', () => {
    expect(evaluate(p, req({ subject: { department: 'Finance' } })).ruleId).toBe('finance');
    expect(evaluate(p, req({ subject: { groups: ['staff', 'contractors'] } })).ruleId).toBe('finance');
    expect(evaluate(p, req({ subject: { email: 'Bob@Partner.Example' } })).ruleId).toBe('externals');
    expect(evaluate(p, req({ subject: { email: 'bob@partner.example.org' } })).action).toBe('allow');
  });

  it('surfaces combine with the people by AND', () => {
    expect(evaluate(p, req({ surface: 'cowork' })).ruleId).toBe('payments-cowork');
    expect(evaluate(p, req({ surface: 'claude_code' })).action).toBe('allow');
  });

  it('except removes people from a rule', () => {
    expect(evaluate(p, req({ stage: 'tool_call' })).ruleId).toBe('everyone-but-security');
    expect(evaluate(p, req({ stage: 'tool_call', subject: { team: 'Security' } })).action).toBe('allow');
  });
});

describe('tools, MCP, models, folders, stages', () => {
  const p = policy(`
  - { id: push, action: ask, when: { tools: ["Bash(git push *)"] } }
  - { id: gh-write, action: deny, when: { tools: [mcp__github__create_*] } }
  - { id: jira, action: warn, when: { mcpServers: jira*, mcpTools: [delete_*] } }
  - { id: opus, action: deny, when: { models: claude-opus-*, stage: model_request }, subjects: { teams: interns } }
  - { id: clients, action: warn, when: { folders: ["/srv/clients/**", "**/secret-project"] } }
  - { id: gateway-only, action: warn, when: { point: gateway } }
`);

  it('matches permission rules on the tool call', () => {
    const bash = (command: string) => req({ stage: 'tool_call', tool: 'Bash', toolInput: { command } });
    expect(evaluate(p, bash('git push origin main')).ruleId).toBe('push');
    expect(evaluate(p, bash('npm test && git push')).ruleId).toBe('push');
    expect(evaluate(p, bash('git pull')).action).toBe('allow');
  });

  it('reads MCP calls named in full or, as telemetry does, apart', () => {
    expect(evaluate(p, req({ stage: 'tool_call', tool: 'mcp__github__create_issue' })).ruleId).toBe('gh-write');
    expect(
      evaluate(p, req({ stage: 'tool_call', tool: 'mcp_tool', mcpServer: 'github', mcpTool: 'create_pr' })).ruleId,
    ).toBe('gh-write');
    expect(evaluate(p, req({ stage: 'tool_call', tool: 'mcp__jira-cloud__delete_issue' })).ruleId).toBe('jira');
  });

  it('matches models with a stage and a team', () => {
    const r = req({ stage: 'model_request', model: 'claude-opus-4-5', subject: { team: 'Interns' } });
    expect(evaluate(p, r).ruleId).toBe('opus');
    expect(evaluate(p, { ...r, stage: 'prompt' }).action).toBe('allow');
  });

  it('matches folders and anything inside them', () => {
    expect(evaluate(p, req({ folders: ['/srv/clients/acme/app'] })).ruleId).toBe('clients');
    expect(evaluate(p, req({ folders: ['/home/ann/secret-project/src'] })).ruleId).toBe('clients');
    expect(evaluate(p, req({ folders: ['/home/ann/secret-projects'] })).action).toBe('allow');
  });

  it('matches the enforcement point', () => {
    expect(evaluate(p, req({ point: 'gateway' })).ruleId).toBe('gateway-only');
  });
});

describe('time windows', () => {
  const p = policy(`
  - id: after-hours
    action: ask
    when:
      time:
        - { timezone: Europe/London, days: [sat, sun] }
        - { timezone: Europe/London, days: [mon, tue, wed, thu, fri], hours: "18:00-08:00" }
  - id: ny-lunch
    action: warn
    when:
      time: [{ timezone: America/New_York, hours: "12:00-13:00" }]
  - id: tokyo-monday
    action: deny
    when:
      time: [{ timezone: Asia/Tokyo, days: mon, hours: "00:00-24:00" }]
`);
  const at = (iso: string) => evaluate(p, req({ time: Date.parse(iso) })).ruleId;

  it('reads days and hours in the window time zone, wrapping midnight', () => {
    expect(at('2026-11-18T10:30:00Z')).toBe(null); // Wednesday 10:30 in London
    expect(at('2026-11-18T18:00:00Z')).toBe('after-hours'); // Wednesday 18:00 in London (GMT)
    expect(at('2026-11-19T07:59:00Z')).toBe('after-hours'); // Thursday 07:59
    expect(at('2026-11-21T12:00:00Z')).toBe('after-hours'); // Saturday
  });

  it('follows daylight saving time', () => {
    // 17:30 UTC is 18:30 in London in summer (BST) but 17:30 in winter (GMT), when it is 12:30 in New York (EST).
    expect(at('2026-07-15T17:30:00Z')).toBe('after-hours');
    expect(at('2026-11-18T17:30:00Z')).toBe('ny-lunch');
    // 16:15 UTC is 12:15 in New York in summer (EDT), 11:15 in winter.
    expect(at('2026-07-15T16:15:00Z')).toBe('ny-lunch');
    expect(at('2026-11-18T16:15:00Z')).toBe(null);
  });

  it('treats an impossible instant as outside every window instead of failing', () => {
    expect(evaluate(p, req({ time: 1e20 })).action).toBe('allow');
    expect(evaluate(p, req({ time: Number.NaN })).action).toBe('allow');
  });

  it('takes the weekday from the zone, not from UTC', () => {
    // Sunday 2026-11-22 20:00 UTC is Monday 05:00 in Tokyo.
    expect(at('2026-11-22T20:00:00Z')).toBe('tokyo-monday');
  });
});

describe('messages', () => {
  it('a rule message fills placeholders and links the acceptable-use policy', () => {
    const p = policy(
      `  - { id: s, action: deny, when: { content: secret }, message: "No {types} in {tool}, please ({rule})." }`,
      'acceptableUseUrl: https://intranet.example/aup\n',
    );
    const d = evaluate(p, req({ stage: 'tool_call', tool: 'Bash', findings: [awsKey] }));
    expect(d.message).toBe(
      'No an AWS access key ID in Bash, please (s). See the acceptable-use policy: https://intranet.example/aup',
    );
  });

  it('the kind default names what was found and what to do, never the content', () => {
    const p = policy(
      `  - { id: s, action: deny, when: { content: secret } }`,
      'acceptableUseUrl: https://x.example/aup\n',
    );
    const d = evaluate(p, req({ findings: [awsKey, email] }));
    expect(d.message).toMatch(/^Steward stopped your prompt because it contains an AWS access key ID\./);
    expect(d.message).toMatch(/rotate it.*See the acceptable-use policy: https:\/\/x\.example\/aup$/);
  });

  it.each([
    ['ask', /needs your confirmation/],
    ['warn', /^Heads up/],
    ['redact', /replaced with a placeholder/],
  ] as const)('has a default for %s', (action, re) => {
    const p = policy(`  - { id: x, action: ${action}, when: { content: personal } }`);
    expect(evaluate(p, req({ findings: [email] })).message).toMatch(re);
  });
});

describe('failure stance and shadow', () => {
  it('carries onFailure of the deciding rule, else the default; closed per stage for enforcement points', () => {
    const p = policy(
      `  - { id: s, action: deny, when: { stage: [prompt, tool_call], content: secret }, onFailure: closed }`,
      'defaults: { onFailure: open, shadow: true }\n',
    );
    expect(evaluate(p, req({ findings: [awsKey] }))).toMatchObject({ onFailure: 'closed', shadow: true });
    expect(evaluate(p, req())).toMatchObject({ onFailure: 'open', shadow: true });
    expect(failureStance(p, 'prompt')).toBe('closed');
    expect(failureStance(p, 'tool_result')).toBe('open');
  });
});
