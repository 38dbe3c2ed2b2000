import { z } from 'zod';

/**
 * The four governance objects (issue 6, docs/governance.md) as zod schemas: the fields every object has, then each
 * kind's own. Bodies of the API and the CLI's `--file` are parsed with these (strict: an unknown field is a 400
 * naming it); stored objects are re-validated whole after every change, so a PATCH cannot leave an object that a
 * create would refuse.
 */
export const govKinds = ['policy', 'workspace', 'connector', 'skill'] as const;
export type GovKind = (typeof govKinds)[number];

/** The URL segment of each kind (`/api/v1/governance/policies`, `steward gov list policies`). */
export const kindPaths: Record<GovKind, string> = {
  policy: 'policies',
  workspace: 'workspaces',
  connector: 'connectors',
  skill: 'skills',
};

export function kindFromWord(word: string): GovKind | undefined {
  const w = word.toLowerCase();
  return govKinds.find((k) => k === w || kindPaths[k] === w);
}

export const cadences = ['weekly', 'monthly', 'quarterly', 'annual'] as const;
export type Cadence = (typeof cadences)[number];

export const statuses: Record<GovKind, readonly [string, ...string[]]> = {
  policy: ['draft', 'active', 'retired'],
  workspace: ['proposed', 'pilot', 'active', 'retired'],
  connector: ['requested', 'approved', 'denied', 'retired'],
  skill: ['proposed', 'approved', 'deprecated', 'retired'],
};

export const defaults: Record<GovKind, { status: string; cadence: Cadence }> = {
  policy: { status: 'draft', cadence: 'annual' },
  workspace: { status: 'proposed', cadence: 'quarterly' },
  connector: { status: 'requested', cadence: 'quarterly' },
  skill: { status: 'proposed', cadence: 'quarterly' },
};

/** Connector status changes (issue 6): requested → approved | denied, then → retired. */
export const connectorTransitions: Record<string, readonly string[]> = {
  requested: ['approved', 'denied'],
  approved: ['retired'],
  denied: ['retired'],
  retired: [],
};

export const email = z
  .string()
  .trim()
  .max(320)
  .pipe(z.email({ message: 'must be a person’s email address' }))
  .transform((s) => s.toLowerCase());
/** PostgreSQL text cannot hold NUL characters (SQLite can): refused here, so both engines store the same objects. */
const noNul = (s: string): boolean => !s.includes('\u0000');
const NUL = 'must not contain NUL characters';
/** Free text (Markdown bodies), possibly empty. */
export const freeText = (max: number) => z.string().max(max).refine(noNul, NUL);
/** A trimmed, non-empty line of text. */
export const text = (max: number) => z.string().trim().min(1).max(max).refine(noNul, NUL);
const list = (max: number) => z.array(text(max)).max(500);
/** Data classes and surfaces are lower-case words (`personal`, `financial`, `claude_code`). */
const word = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .regex(/^[a-z0-9][a-z0-9_.:-]*$/, 'must be a lower-case word (a-z, 0-9, _ . : -)');
export const surfaces = ['claude_code', 'cowork', 'desktop', 'office', 'api', 'claude_ai', '*'] as const;
export const classifications = ['public', 'internal', 'confidential', 'restricted'] as const;

/** The fields every object has; `name` is unique per kind. */
export const commonFields = {
  name: text(200),
  owner: email.nullable().optional(),
  review_cadence: z.enum(cadences).optional(),
  last_reviewed_at: z.iso.datetime({ offset: true }).nullable().optional(),
  home: text(2000).nullable().optional(),
};

/**
 * A machine rule of the acceptable-use policy: which groups may (or may not) use which data classes on which
 * surfaces. Groups are `*`, `team:NAME`, `department:NAME` or `person:EMAIL`.
 */
export const machineRuleSchema = z.strictObject({
  groups: z
    .array(text(300).regex(/^(\*|(team|department|person):.+)$/, 'must be *, team:T, department:D or person:E'))
    .min(1)
    .max(200),
  data_classes: z.array(word).min(1).max(100),
  surfaces: z.array(z.enum(surfaces)).min(1),
  effect: z.enum(['allow', 'deny']),
  note: text(1000).optional(),
});
export type MachineRule = z.infer<typeof machineRuleSchema>;

export const kindFields = {
  policy: {
    description: text(4000).nullable().optional(),
    rules: z.array(machineRuleSchema).max(500).optional(),
  },
  workspace: {
    sponsor: email.nullable().optional(),
    purpose: text(4000).nullable().optional(),
    data_scope: text(4000).nullable().optional(),
    classification: z.enum(classifications).nullable().optional(),
    folders: list(2000).optional(),
    claude_md_present: z.boolean().nullable().optional(),
    scheduled_tasks_md_present: z.boolean().nullable().optional(),
    scheduled_tasks: list(1000).optional(),
    /** The planned last day of the pilot (YYYY-MM-DD): still `pilot` after it is a pilot_not_graduated finding. */
    pilot_ends_on: z.iso.date().nullable().optional(),
  },
  connector: {
    publisher: text(200).nullable().optional(),
    transport: z.enum(['stdio', 'http', 'sse', 'app']),
    url: z.url().max(2000).refine(noNul, NUL).nullable().optional(),
    command: text(2000).nullable().optional(),
    oauth_scopes: list(300).optional(),
    tools: z
      .array(
        z.strictObject({
          name: text(200),
          access: z.enum(['read', 'write']),
          policy: z.enum(['allow', 'needs_approval', 'blocked']),
        }),
      )
      .max(1000)
      .optional(),
    data_classes: z.array(word).max(100).optional(),
    risk: z.enum(['low', 'medium', 'high', 'critical']).nullable().optional(),
  },
  skill: {
    description: text(4000).nullable().optional(),
    intended_use: text(4000).nullable().optional(),
    inputs: list(1000).optional(),
    outputs: list(1000).optional(),
    version: text(100).nullable().optional(),
    allowed_tools: list(200).optional(),
    source: z.enum(['personal', 'project', 'plugin', 'organisation']),
    /** The plugin a `plugin` skill ships in: telemetry names plugins, not their skills. */
    plugin: text(200).nullable().optional(),
    body: freeText(256 * 1024)
      .nullable()
      .optional(),
  },
} as const;

export const createSchemas = {
  policy: z.strictObject({ ...commonFields, status: z.enum(statuses.policy).optional(), ...kindFields.policy }),
  workspace: z.strictObject({
    ...commonFields,
    status: z.enum(statuses.workspace).optional(),
    ...kindFields.workspace,
  }),
  connector: z.strictObject({
    ...commonFields,
    status: z.enum(statuses.connector).optional(),
    ...kindFields.connector,
  }),
  skill: z.strictObject({ ...commonFields, status: z.enum(statuses.skill).optional(), ...kindFields.skill }),
};

/** PATCH bodies: any subset of the create fields; `null` clears an optional one. */
export const patchSchemas = {
  policy: createSchemas.policy.partial(),
  workspace: createSchemas.workspace.partial(),
  connector: createSchemas.connector.partial(),
  skill: createSchemas.skill.partial(),
};

export type CreateInput<K extends GovKind> = z.infer<(typeof createSchemas)[K]>;
export type PatchInput<K extends GovKind> = z.infer<(typeof patchSchemas)[K]>;

/** Rules across fields, checked on the whole object after a create or a patch: the path names the field. */
export function crossFieldIssues(kind: GovKind, o: Record<string, unknown>): { path: string; message: string }[] {
  const issues: { path: string; message: string }[] = [];
  if (kind === 'connector') {
    if (o.transport === 'stdio' && !o.command)
      issues.push({ path: 'command', message: 'a stdio connector needs a command' });
    if ((o.transport === 'http' || o.transport === 'sse') && !o.url)
      issues.push({ path: 'url', message: `an ${String(o.transport)} connector needs a url` });
  }
  return issues;
}

export const historyActions = ['create', 'update', 'review', 'retire', 'decision', 'version', 'acknowledge'] as const;
