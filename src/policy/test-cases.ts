import { parseDocument } from 'yaml';
import { z } from 'zod';
import { surfaces } from '../contracts/canonical.js';
import { detectorTypes, type Finding } from '../contracts/detection.js';
import {
  decisionStages,
  enforcementPoints,
  policyActions,
  type Decision,
  type DecisionRequest,
} from '../contracts/policy-decision.js';
import type { CompiledPolicy } from './compile.js';
import { evaluate } from './evaluate.js';
import { detectorTypeNames } from './schema.js';

/**
 * Policy test cases (`steward policy test cases.yaml`): each case is an input — a decision request in YAML, with
 * raw `text` the caller scans with the detectors, or `findings` given directly — and what the policy must decide.
 *
 *   policy: default.yaml            # optional, relative to the cases file (--policy overrides it)
 *   cases:
 *     - name: an AWS key in a prompt is stopped
 *       input: { stage: prompt, text: "key AKIA…" }
 *       expect: { action: deny, rule: credentials }
 */
const findingSchema = z.strictObject({
  type: z.enum(detectorTypeNames),
  confidence: z.number().min(0).max(1).optional(),
  example: z.boolean().optional(),
  start: z.number().int().min(0).optional(),
  end: z.number().int().min(0).optional(),
});

const inputSchema = z.strictObject({
  stage: z.enum(decisionStages).default('prompt'),
  point: z.enum(enforcementPoints).default('claude_code_hook'),
  surface: z.enum(surfaces).default('claude_code'),
  subject: z
    .strictObject({
      personId: z.string().optional(),
      email: z.string().optional(),
      team: z.string().optional(),
      department: z.string().optional(),
      groups: z.array(z.string()).optional(),
    })
    .default({}),
  text: z.string().optional().describe('Raw content: scanned by the detectors, then discarded.'),
  findings: z.array(findingSchema).optional(),
  tool: z.string().optional(),
  toolInput: z.record(z.string(), z.unknown()).optional(),
  mcpServer: z.string().optional(),
  mcpTool: z.string().optional(),
  model: z.string().optional(),
  folders: z.array(z.string()).optional(),
  time: z.union([z.string(), z.number()]).optional().describe('ISO 8601 or epoch ms; default now.'),
});

const caseSchema = z.strictObject({
  name: z.string().min(1),
  input: inputSchema,
  expect: z.strictObject({
    action: z.enum(policyActions),
    rule: z.string().nullable().optional().describe('The deciding rule id; null for the policy default.'),
    messageContains: z.string().optional(),
  }),
});

export const testFileSchema = z.strictObject({
  policy: z.string().optional(),
  cases: z.array(caseSchema).min(1),
});

export type PolicyTestFile = z.infer<typeof testFileSchema>;
export type PolicyTestCase = z.infer<typeof caseSchema>;
export type CaseInput = z.infer<typeof inputSchema>;

export function parseTestFile(text: string): { ok: true; file: PolicyTestFile } | { ok: false; error: string } {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) return { ok: false, error: doc.errors[0]?.message ?? 'invalid YAML' };
  const r = testFileSchema.safeParse(doc.toJS());
  if (!r.success) {
    return { ok: false, error: r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') };
  }
  return { ok: true, file: r.data };
}

/** The decision request a case describes; `scan` finds what is in its raw text (the caller's detectors). */
export function caseRequest(input: CaseInput, scan: (text: string) => Finding[], now = Date.now()): DecisionRequest {
  const given: Finding[] = (input.findings ?? []).map((f) => ({
    type: f.type,
    class: detectorTypes[f.type],
    start: f.start ?? 0,
    end: f.end ?? 0,
    confidence: f.confidence ?? 1,
    validator: 'none',
    ...(f.example ? { example: true } : {}),
  }));
  const time = input.time === undefined ? now : typeof input.time === 'number' ? input.time : Date.parse(input.time);
  if (!Number.isFinite(time)) throw new Error(`time "${String(input.time)}" is not an ISO 8601 time`);
  return {
    point: input.point,
    stage: input.stage,
    surface: input.surface,
    subject: input.subject,
    tool: input.tool ?? null,
    toolInput: input.toolInput ?? null,
    mcpServer: input.mcpServer ?? null,
    mcpTool: input.mcpTool ?? null,
    model: input.model ?? null,
    folders: input.folders ?? [],
    findings: [...given, ...(input.text !== undefined ? scan(input.text) : [])],
    time,
  };
}

export interface CaseResult {
  name: string;
  passed: boolean;
  decision: Decision;
  /** Why it failed, in words. */
  problems: string[];
}

export function runCase(policy: CompiledPolicy, c: PolicyTestCase, scan: (text: string) => Finding[]): CaseResult {
  const decision = evaluate(policy, caseRequest(c.input, scan));
  const problems: string[] = [];
  if (decision.action !== c.expect.action) {
    problems.push(`expected ${c.expect.action}, got ${decision.action} (rule ${decision.ruleId ?? 'default'})`);
  }
  if (c.expect.rule !== undefined && decision.ruleId !== c.expect.rule) {
    problems.push(`expected rule ${c.expect.rule ?? 'default'}, got ${decision.ruleId ?? 'default'}`);
  }
  if (c.expect.messageContains !== undefined && !(decision.message ?? '').includes(c.expect.messageContains)) {
    problems.push(`message does not contain "${c.expect.messageContains}": ${decision.message ?? '(none)'}`);
  }
  return { name: c.name, passed: problems.length === 0, decision, problems };
}
