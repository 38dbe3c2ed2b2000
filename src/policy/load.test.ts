import { describe, expect, it } from 'vitest';
import { formatProblem, loadPolicy, type LoadResult } from './load.js';

function errors(r: LoadResult): string[] {
  if (r.ok) throw new Error('expected the policy to be refused');
  return r.errors.map(formatProblem);
}

describe('loading a policy', () => {
  it('names file, line, column, rule and path for schema errors, with suggestions', () => {
    const text = [
      'version: 1', // 1
      'name: test', // 2
      'rules:', // 3
      '  - id: no-secrets', // 4
      '    action: deny', // 5
      '    whn: {}', // 6
      '    when:', // 7
      '      stage: [prompt, promt]', // 8
      '      types: emial', // 9
      '  - action: dny', // 10
    ].join('\n');
    expect(errors(loadPolicy(text, { file: 'policies/p.yaml' }))).toEqual([
      'policies/p.yaml:6:5: rule "no-secrets": rules[0]: unknown key "whn"; did you mean "when"?',
      'policies/p.yaml:8:23: rule "no-secrets": rules[0].when.stage[1]: "promt" is not one of prompt, tool_call, tool_result, model_request, model_response, session_start',
      'policies/p.yaml:9:14: rule "no-secrets": rules[0].when.types: "emial" is not a known value; did you mean "email"?',
      'policies/p.yaml:10:5: rule "rules[1]": rules[1].id: missing: this key is required',
      'policies/p.yaml:10:13: rule "rules[1]": rules[1].action: "dny" is not one of allow, warn, redact, ask, deny',
    ]);
  });

  it('reports meaning errors (permission rules, zones, placeholders, duplicates, regexes) at their lines', () => {
    const text = `version: 1
name: test
organisation:
  patterns:
    ticket: "ACME-(\\\\d{4"
    nested: "(a+)+$"
rules:
  - id: a
    action: ask
    when:
      tools: ["Bash(git push *)", "Bash(rm"]
  - id: a
    action: warn
    when:
      time: [{ timezone: Mars/Olympus }]
    message: "Careful with {secret}"
  - id: c
    action: warn
    redact: email
  - id: d
    action: deny
    when: { minConfidence: 0.5 }
`;
    expect(errors(loadPolicy(text, { file: 'p.yaml' }))).toEqual([
      'p.yaml:5:13: organisation.patterns.ticket: pattern "ticket" is not a valid regular expression (Invalid regular expression: /ACME-(\\d{4/g: Unterminated group)',
      'p.yaml:6:13: organisation.patterns.nested: pattern "nested" repeats a group that itself contains a repeat (nested quantifiers can take exponential time)',
      'p.yaml:11:35: rule "a": rules[0].when.tools[1]: "Bash(rm" must end with ")"',
      'p.yaml:12:9: rule "a": rules[1].id: duplicate rule id "a" (first used by rules[0])',
      'p.yaml:15:14: rule "a": rules[1].when.time[0]: "Mars/Olympus" is not an IANA time zone (e.g. Europe/London, America/New_York, UTC)',
      'p.yaml:16:14: rule "a": rules[1].message: unknown placeholder {secret}; use {types} {classes} {tool} {rule} {aup}',
      'p.yaml:19:13: rule "c": rules[2].redact: redact lists what an action "redact" replaces; this rule\'s action is "warn"',
      'p.yaml:22:11: rule "d": rules[3].when: minConfidence and includeExamples apply to findings: add content or types',
    ]);
  });

  it('reports YAML syntax errors and duplicate keys with their line', () => {
    expect(errors(loadPolicy('version: 1\nname: a\nname: b\n', { file: 'd.yaml' }))[0]).toMatch(
      /^d\.yaml:3:1: Map keys must be unique/,
    );
    expect(errors(loadPolicy('version: 1\nrules:\n  - id: [x\n', { file: 's.yaml' }))[0]).toMatch(/^s\.yaml:\d+:\d+: /);
    expect(errors(loadPolicy('', { file: 'e.yaml' }))).toEqual(['e.yaml:1:1: the policy is empty']);
  });

  it('returns warnings without refusing the policy', () => {
    const r = loadPolicy(
      'version: 1\nname: t\nrules:\n  - { id: etc, action: deny, when: { tools: ["Edit(/etc/**)"] } }\n',
      {
        file: 'w.yaml',
      },
    );
    expect(r.ok).toBe(true);
    expect(r.warnings.map(formatProblem)).toEqual([
      'w.yaml:4:46: warning: rule "etc": rules[0].when.tools[0]: "Edit(/etc/**)": a single leading "/" is relative to the project root in Claude Code\'s syntax; write "//" for an absolute path',
    ]);
  });

  it('versions an unstored policy by the digest of its text', () => {
    const r = loadPolicy('version: 1\nname: t\n');
    expect(r.ok && r.policy.version).toMatch(/^sha256:[0-9a-f]{12}$/);
    expect(r.ok && loadPolicy('version: 1\nname: t\n', { version: 'v7' }).ok && r.digest).toHaveLength(64);
  });

  it('rejects a document that is not a mapping and an unknown language version', () => {
    expect(errors(loadPolicy('- a\n- b\n'))[0]).toMatch(/expected object, received array/);
    expect(errors(loadPolicy('version: 2\nname: x\n'))[0]).toMatch(/version/);
  });
});
