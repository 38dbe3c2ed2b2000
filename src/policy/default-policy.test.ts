import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { scan } from '../detect/scan.js';
import { packageRoot } from '../version.js';
import { failureStance } from './evaluate.js';
import { loadPolicy } from './load.js';
import { policyJsonSchema } from './schema.js';
import { parseTestFile, runCase } from './test-cases.js';

/** The shipped default policy (policies/default.yaml) and its cases (policies/default.cases.yaml). */
const dir = join(packageRoot(), 'policies');
const text = readFileSync(join(dir, 'default.yaml'), 'utf8');

describe('the default policy', () => {
  it('loads without errors or warnings', () => {
    const r = loadPolicy(text, { file: 'policies/default.yaml' });
    expect(r.ok ? r.warnings : r.errors).toEqual([]);
  });

  it('decides every case of policies/default.cases.yaml as expected', () => {
    const r = loadPolicy(text);
    if (!r.ok) throw new Error('default policy does not load');
    const cases = parseTestFile(readFileSync(join(dir, 'default.cases.yaml'), 'utf8'));
    if (!cases.ok) throw new Error(cases.error);
    const failed = cases.file.cases
      .map((c) => runCase(r.policy, c, (t) => scan(t)))
      .filter((res) => !res.passed)
      .map((res) => `${res.name}: ${res.problems.join('; ')}`);
    expect(failed).toEqual([]);
    expect(cases.file.cases.length).toBeGreaterThanOrEqual(20);
  });

  it('fails closed only where the credentials rule applies', () => {
    const r = loadPolicy(text);
    if (!r.ok) throw new Error('default policy does not load');
    expect(r.policy.onFailure).toBe('open');
    expect(failureStance(r.policy, 'prompt')).toBe('closed');
    expect(failureStance(r.policy, 'tool_call')).toBe('closed');
    expect(failureStance(r.policy, 'tool_result')).toBe('open');
    expect(failureStance(r.policy, 'session_start')).toBe('open');
  });

  it('is valid against the JSON Schema served to editors, which also refuses unknown keys', () => {
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    const validate = ajv.compile(policyJsonSchema());
    expect(validate(parse(text)), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ version: 1, name: 'x', rules: [{ id: 'a', action: 'deny', whn: {} }] })).toBe(false);
    expect(validate({ version: 1, name: 'x', rules: [{ id: 'a', action: 'dny' }] })).toBe(false);
    expect(validate({ version: 1, name: 'x', rules: [{ id: 'a', action: 'warn', when: { stage: 'prompt' } }] })).toBe(
      true,
    );
  });
});
