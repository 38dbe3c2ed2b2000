import { createHash } from 'node:crypto';
import { contentClasses } from '../contracts/detection.js';
import type { PolicyDocument } from '../policy/schema.js';
import { detectorTypeNames } from '../policy/schema.js';
import type { MachineRule } from './governance-schemas.js';

/**
 * The acceptable-use policy's machine rules, compiled into rules of the policy language (issue 6: "compiled into
 * the policy engine's rules"), so every enforcement point — hooks, inference hooks, the gateway — applies them with
 * the organisation's policy, and every decision names the AUP rule that stopped someone.
 *
 * Semantics (docs/governance.md, "Machine rules"):
 * - A `deny` rule stops its groups from sending its data classes on its surfaces: one policy rule per data class and
 *   surface, at the stages where a person sends content to a model (`prompt`, `model_request`), action `deny`.
 * - An `allow` rule exempts its groups from the `deny` rules of the same data class and surface (`except`). An allow
 *   for everyone (`*`) exempts nobody: it states the default, which the policy's own rules already decide.
 * - A data class is one of the detectors' content classes (secret, personal, financial, organisation, …) or a
 *   detector type (email, payment_card, classification_label, …); anything else cannot be enforced and is reported in
 *   `skipped`, which callers can show; it never makes the compile fail.
 * Only `active` acceptable-use policies are compiled; the compiled rules are appended after the policy's own.
 */
export interface AupSource {
  id: string;
  name: string;
  rules: readonly MachineRule[];
}

type PolicyRule = NonNullable<PolicyDocument['rules']>[number];

export interface CompiledAup {
  rules: PolicyRule[];
  /** Data classes that are neither a content class nor a detector type: `policy "AUP" rule 2: "x"`. */
  skipped: string[];
  /** Digest of the compiled rules: part of the engine's version, so a change to the AUP reloads the policy. */
  digest: string;
}

const CLASSES: ReadonlySet<string> = new Set(contentClasses);
const TYPES: ReadonlySet<string> = new Set(detectorTypeNames);

export function compileAup(sources: readonly AupSource[]): CompiledAup {
  const rules: PolicyRule[] = [];
  const skipped: string[] = [];
  for (const source of sources) {
    const allows = source.rules.filter((r) => r.effect === 'allow');
    source.rules.forEach((rule, index) => {
      if (rule.effect !== 'deny') return;
      for (const dataClass of rule.data_classes) {
        const when = whenFor(dataClass);
        if (!when) {
          skipped.push(`policy "${source.name}" rule ${index + 1}: "${dataClass}" is not a detector class or type`);
          continue;
        }
        for (const surface of rule.surfaces) {
          // `*` is every surface: the rule names none, and an allow for `*` covers each one.
          const exempt = allows.filter(
            (a) => a.data_classes.includes(dataClass) && (a.surfaces.includes(surface) || a.surfaces.includes('*')),
          );
          const except = groupsOf(exempt.flatMap((a) => a.groups).filter((g) => g !== '*'));
          rules.push({
            id: ruleId(source.id, index, dataClass, surface === '*' ? 'all' : surface),
            description: `Acceptable-use policy "${source.name}", rule ${index + 1}${rule.note ? `: ${rule.note}` : ''}`,
            subjects: { ...groupsOf(rule.groups), ...(surface === '*' ? {} : { surfaces: [surface] }) },
            ...(except ? { except } : {}),
            when: { stage: ['prompt', 'model_request'], ...when },
            action: 'deny',
            message:
              `The acceptable-use policy "${source.name}" does not allow {types} to be shared with an AI assistant ` +
              `here. Remove it, or ask the policy's owner whether an exception applies.{aup}`,
          } as PolicyRule);
        }
      }
    });
  }
  const digest = createHash('sha256').update(JSON.stringify(rules)).digest('hex').slice(0, 12);
  return { rules, skipped, digest };
}

function whenFor(dataClass: string): { content: string[] } | { types: string[] } | null {
  if (CLASSES.has(dataClass)) return { content: [dataClass] };
  if (TYPES.has(dataClass)) return { types: [dataClass] };
  return null;
}

/** `*` → everyone (no subject lists); `team:T`, `department:D`, `person:E` → the policy's subject lists. */
function groupsOf(groups: readonly string[]): { people?: string[]; teams?: string[]; departments?: string[] } | null {
  if (groups.length === 0) return null;
  if (groups.includes('*')) return {};
  const out: { people?: string[]; teams?: string[]; departments?: string[] } = {};
  for (const g of groups) {
    const colon = g.indexOf(':');
    const kind = g.slice(0, colon);
    const value = g.slice(colon + 1);
    const list =
      kind === 'person' ? (out.people ??= []) : kind === 'team' ? (out.teams ??= []) : (out.departments ??= []);
    list.push(value);
  }
  return out;
}

/** Stable and readable: `aup-<policy>-<rule>-<class>-<surface>` (the policy language's id alphabet, ≤ 100). */
function ruleId(policyId: string, index: number, dataClass: string, surface: string): string {
  const id = `aup-${policyId.slice(0, 8)}-${index + 1}-${dataClass}-${surface}`.replace(/[^A-Za-z0-9._-]/g, '_');
  return id.slice(0, 100);
}
