import { z } from 'zod';
import { AppError } from '../errors/app-error.js';
import type { Store } from '../store/store.js';
import { createObject, findObjectByName, updateObject, type GovObject } from './governance-objects.js';
import { cadences, commonFields, kindFields, statuses } from './governance-schemas.js';
import { parseSkillMd, skillFields } from './skill-md.js';

/**
 * Skills from SKILL.md: the frontmatter (name, description, and intended use, inputs, outputs, owner, version,
 * allowed tools when present; skill-md.ts reads them) and the Markdown body. Importing a skill whose name is already
 * in the inventory updates it (its history shows what changed); otherwise it is created. Fields the file does not
 * state are left as they are on an update.
 */
export const skillImportOptions = z.strictObject({
  source: kindFields.skill.source.optional(),
  plugin: kindFields.skill.plugin,
  owner: commonFields.owner,
  home: commonFields.home,
  review_cadence: z.enum(cadences).optional(),
  status: z.enum(statuses.skill).optional(),
});
export type SkillImportOptions = z.infer<typeof skillImportOptions>;

export async function importSkillMd(
  store: Store,
  text: string,
  options: SkillImportOptions,
  actor: string,
  now = Date.now(),
): Promise<{ skill: GovObject; created: boolean }> {
  const parsed = parseSkillMd(text);
  if (parsed.errors.length > 0) {
    const issues = parsed.errors.map((e) => ({ path: `SKILL.md:${e.line}`, message: e.message }));
    throw new AppError('bad_request', issues.map((i) => `${i.path}: ${i.message}`).join('; '), { issues });
  }
  const f = skillFields(parsed.frontmatter);
  if (f.name === null) throw new AppError('bad_request', 'SKILL.md: the frontmatter has no `name`');
  const stated = {
    ...(f.description !== null ? { description: f.description } : {}),
    ...(f.intendedUse !== null ? { intended_use: f.intendedUse } : {}),
    ...(f.inputs.length > 0 ? { inputs: f.inputs } : {}),
    ...(f.outputs.length > 0 ? { outputs: f.outputs } : {}),
    ...(f.owner !== null ? { owner: f.owner } : {}),
    ...(f.version !== null ? { version: f.version } : {}),
    ...(f.allowedTools.length > 0 ? { allowed_tools: f.allowedTools } : {}),
    body: parsed.body.trim() === '' ? null : parsed.body,
    ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)),
  };
  const existing = await findObjectByName(store, 'skill', f.name);
  if (existing) return { skill: await updateObject(store, 'skill', existing.id, stated, actor, now), created: false };
  const skill = await createObject(store, 'skill', { name: f.name, source: 'project', ...stated }, actor, now);
  return { skill, created: true };
}
