import { z } from 'zod';
import { surfaces } from '../contracts/canonical.js';
import { contentClasses, detectorTypes, type DetectorType } from '../contracts/detection.js';
import { decisionStages, enforcementPoints, policyActions } from '../contracts/policy-decision.js';

/**
 * The policy language (docs/policy.md): one YAML document, validated by this schema (unknown keys are errors, so a
 * misspelt condition never silently widens a rule). The schema is structural only — no transforms — so the JSON
 * Schema served for editors (`policyJsonSchema`) is exactly what the loader accepts; meaning (permission-rule
 * syntax, time zones, regular expressions, placeholders) is checked by the loader, with the same line numbers.
 */
export const detectorTypeNames = Object.keys(detectorTypes) as [DetectorType, ...DetectorType[]];
export const weekdays = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof weekdays)[number];

/** A value or a list of them: YAML authors write `stage: prompt` as often as `stage: [prompt, tool_call]`. */
function oneOrMany<T extends z.ZodType>(item: T, description: string) {
  return z
    .union([item, z.array(item).min(1)])
    .optional()
    .describe(description);
}

const text = z.string().min(1).max(500);

const subjectsSchema = z
  .strictObject({
    people: oneOrMany(text, 'Emails (globs allowed: `*@contractors.example.com`) or Steward person ids.'),
    teams: oneOrMany(text, 'Team names (case-insensitive).'),
    departments: oneOrMany(text, 'Departments or functions (case-insensitive).'),
    groups: oneOrMany(text, 'IdP groups (SCIM / SSO), case-insensitive.'),
    surfaces: oneOrMany(z.enum(surfaces), 'Surfaces the rule covers; combined with the others by AND.'),
  })
  .describe(
    'Who a rule applies to: anyone matching one of people, teams, departments or groups (OR), on one of the ' +
      'surfaces when given (AND). Omitted or empty: everyone.',
  );

const timeWindowSchema = z
  .strictObject({
    timezone: z.string().min(1).max(100).optional().describe('IANA time zone, e.g. Europe/London. Default UTC.'),
    days: oneOrMany(z.enum(weekdays), 'Days of the week in the time zone. Default every day.'),
    hours: z
      .string()
      .regex(/^\d{2}:\d{2}-\d{2}:\d{2}$/, 'hours must look like 09:00-17:30')
      .optional()
      .describe('Local time range HH:MM-HH:MM, start inclusive, end exclusive; 22:00-06:00 wraps midnight.'),
  })
  .describe('A time window; the rule matches inside any of its windows.');

const whenSchema = z
  .strictObject({
    stage: oneOrMany(z.enum(decisionStages), 'What is being decided: prompt, tool_call, tool_result, model_request…'),
    point: oneOrMany(z.enum(enforcementPoints), 'Which enforcement point asks (hook, inference hook, gateway…).'),
    content: oneOrMany(z.enum(contentClasses), 'Content classes found by the detectors (secret, personal, …).'),
    types: oneOrMany(z.enum(detectorTypeNames), 'Detector types found (aws_access_key_id, email, …).'),
    minConfidence: z
      .number()
      .min(0)
      .max(1)
      .optional()
      .describe('Ignore findings below this confidence (0..1). Needs content or types.'),
    includeExamples: z
      .boolean()
      .optional()
      .describe('Also count documented example values (AKIAIOSFODNN7EXAMPLE, test cards). Default false.'),
    tools: oneOrMany(
      z.string().min(1).max(1000),
      'Claude Code permission rules: Bash, Bash(rm *), Read(./secrets/**), WebFetch(domain:x.com), mcp__github.',
    ),
    mcpServers: oneOrMany(text, 'MCP server names (globs).'),
    mcpTools: oneOrMany(text, 'MCP tool names without the server prefix (globs).'),
    models: oneOrMany(text, 'Model ids (globs, case-insensitive): claude-opus-*.'),
    folders: oneOrMany(
      z.string().min(1).max(1000),
      'Absolute folder globs (/srv/clients/**, ~/work/*, or **/secret-project); matches inside them too.',
    ),
    time: z.array(timeWindowSchema).min(1).optional().describe('Time windows (any of them).'),
  })
  .describe('Conditions; all given conditions must hold (AND), a list matches any of its values (OR).');

export const ruleSchema = z
  .strictObject({
    id: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'rule ids use letters, digits, ".", "_" and "-"')
      .max(100)
      .describe('Stable identifier: recorded with every decision, used by tests and backtests.'),
    description: z.string().max(2000).optional(),
    enabled: z.boolean().optional().describe('false keeps the rule in the document without applying it.'),
    subjects: subjectsSchema.optional(),
    except: subjectsSchema.optional().describe('People the rule never applies to (same shape as subjects).'),
    when: whenSchema.optional(),
    action: z.enum(policyActions).describe('allow | warn | redact | ask | deny; the most restrictive match wins.'),
    message: z
      .string()
      .min(1)
      .max(2000)
      .optional()
      .describe('What the person is told. Placeholders: {types} {classes} {tool} {rule} {aup}.'),
    redact: oneOrMany(
      z.enum([...contentClasses, ...detectorTypeNames]),
      'For action redact: which content classes or detector types are replaced (default: those that matched).',
    ),
    onFailure: z
      .enum(['open', 'closed'])
      .optional()
      .describe('When Steward cannot be reached: closed blocks what this rule covers. Default: defaults.onFailure.'),
  })
  .describe('One rule.');

export const organisationSchema = z
  .strictObject({
    dictionaries: z
      .record(z.string().regex(/^[A-Za-z0-9_-]+$/), z.array(text).min(1))
      .optional()
      .describe('Name → terms matched case-insensitively on word boundaries (code names, customers).'),
    patterns: z
      .record(z.string().regex(/^[A-Za-z0-9_-]+$/), z.string().min(1).max(1000))
      .optional()
      .describe('Name → regular expression (must run in linear time).'),
    classificationLabels: z.array(text).min(1).optional().describe('Labels such as CONFIDENTIAL.'),
  })
  .describe('Organisation-specific detection, found as type org_term / classification_label.');

export const policySchema = z
  .strictObject({
    $schema: z.string().optional().describe('Editors: the JSON Schema URL, e.g. <steward>/api/v1/policy/schema.'),
    version: z.literal(1).describe('Version of the policy language (1).'),
    name: z.string().min(1).max(200),
    description: z.string().max(5000).optional(),
    acceptableUseUrl: z.url().optional().describe('Linked from every message (the acceptable-use policy).'),
    defaults: z
      .strictObject({
        action: z.enum(policyActions).optional().describe('When no rule matches. Default allow.'),
        onFailure: z.enum(['open', 'closed']).optional().describe('When Steward cannot be reached. Default open.'),
        shadow: z.boolean().optional().describe('Decide and record, never enforce. Default false.'),
      })
      .optional(),
    organisation: organisationSchema.optional(),
    rules: z.array(ruleSchema).optional(),
  })
  .describe('A Steward policy.');

/** Every key the language knows, at any level (for "did you mean" suggestions). */
export const policyKeys: readonly string[] = [
  ...new Set(
    [policySchema, ruleSchema, organisationSchema, subjectsSchema, whenSchema, timeWindowSchema].flatMap((s) =>
      Object.keys(s.shape),
    ),
  ),
  'action',
  'onFailure',
  'shadow',
];

export type PolicyDocument = z.infer<typeof policySchema>;
export type PolicyRule = z.infer<typeof ruleSchema>;
export type PolicySubjects = z.infer<typeof subjectsSchema>;
export type PolicyWhen = z.infer<typeof whenSchema>;
export type PolicyTimeWindow = z.infer<typeof timeWindowSchema>;

/** JSON Schema (draft 2020-12) of the policy language, for editors (`# yaml-language-server: $schema=…`). */
export function policyJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(policySchema, { io: 'input', target: 'draft-2020-12' }),
    $id: 'urn:steward:policy:v1',
    title: 'Steward policy',
  };
}
