/**
 * `scan(text)` runs the detectors and returns findings sorted by start, without overlaps. Cost model (measured in
 * bench/detect.bench.ts): anchors found with indexOf (anchors.ts), one regular-expression pass for numbers, one
 * for IPv6 candidates; hidden-text and injection passes only when those types are wanted. Pure: no I/O, no state
 * between calls.
 */
import { detectorTypes, type DetectorType, type Finding } from '../contracts/detection.js';
import { groupAnchors, runAnchors, type AnchorGroup, type AnchorRule } from './anchors.js';
import { credentialRules } from './credential-assignments.js';
import { emailRule } from './email.js';
import { detectHiddenText, hiddenTextTypes } from './hidden-text.js';
import { detectInjectionPhrases, injectionRules } from './injection.js';
import { detectIpv6 } from './ip-addresses.js';
import { detectNumbers, numberTypes } from './numbers.js';
import { scanOrganisation, type CompiledOrganisationPatterns } from './organisation.js';
import { createContext } from './scan-context.js';
import { secretTokenRules } from './secret-tokens.js';

export type { CompiledOrganisationPatterns } from './organisation.js';

export interface ScanOptions {
  /** Only these types (default: all). Detectors for other types do not run. */
  types?: readonly DetectorType[];
  /** Organisation dictionaries, patterns and labels from `compileOrganisationPatterns`. */
  organisation?: CompiledOrganisationPatterns;
  /** Drop findings below this confidence (default 0: everything, examples included). */
  minConfidence?: number;
}

export const allDetectorTypes = Object.keys(detectorTypes) as DetectorType[];

const anchorRules: readonly AnchorRule[] = [...secretTokenRules, ...credentialRules, emailRule, ...injectionRules];

export function scan(text: string, options: ScanOptions = {}): Finding[] {
  if (typeof text !== 'string' || text.length === 0) return [];
  const plan = planFor(options.types);
  const ctx = createContext(text, plan.wanted);
  runAnchors(ctx, plan.anchors);
  if (plan.numbers) detectNumbers(ctx);
  if (plan.ipv6) detectIpv6(ctx);
  if (plan.hidden) detectHiddenText(ctx);
  if (plan.injection) detectInjectionPhrases(ctx);
  if (options.organisation) scanOrganisation(ctx, options.organisation);
  return resolveOverlaps(ctx.findings, options.minConfidence ?? 0);
}

/** What to run for one set of wanted types; computed once per distinct set (a prompt is often a few hundred bytes). */
interface Plan {
  wanted: ReadonlySet<DetectorType>;
  anchors: readonly AnchorGroup[];
  numbers: boolean;
  ipv6: boolean;
  hidden: boolean;
  injection: boolean;
}

const plans = new Map<string, Plan>();
const plansByArray = new WeakMap<readonly DetectorType[], Plan>();
const MAX_PLANS = 64;

function planFor(types: readonly DetectorType[] | undefined): Plan {
  if (types !== undefined) {
    const known = plansByArray.get(types);
    if (known) return known;
  }
  const key = types === undefined ? '*' : types.join(',');
  let plan = plans.get(key);
  if (!plan) {
    const wanted = new Set<DetectorType>(types ?? allDetectorTypes);
    plan = {
      wanted,
      anchors: groupAnchors(anchorRules, wanted),
      // The number pass also finds GitLab runner tokens (their prefix has seven digits).
      numbers: numberTypes.some((t) => wanted.has(t)) || wanted.has('gitlab_token'),
      ipv6: wanted.has('ipv6'),
      hidden: hiddenTextTypes.some((t) => wanted.has(t)),
      injection: wanted.has('prompt_injection'),
    };
    if (plans.size >= MAX_PLANS) plans.clear();
    plans.set(key, plan);
  }
  if (types !== undefined) plansByArray.set(types, plan);
  return plan;
}

/**
 * How specific a type is when two findings overlap: a vendor-prefixed token beats a private key beats a JWT …
 * beats a generic secret, which beats the contact data it may contain (a password with an `@`); detectors of
 * hidden text and injection markers yield to anything more specific.
 */
const rank: Readonly<Record<DetectorType, number>> = {
  anthropic_api_key: 100, anthropic_admin_key: 100, openai_api_key: 100, aws_access_key_id: 100,
  google_api_key: 100, azure_storage_key: 100, azure_client_secret: 100, github_token: 100, gitlab_token: 100,
  slack_token: 100, slack_webhook: 100, stripe_key: 100, gcp_service_account: 100,
  private_key: 95, jwt: 90, aws_secret_access_key: 85, database_url_password: 85,
  payment_card: 70, iban: 70, us_ssn: 70, uk_nino: 70, aba_routing: 70,
  generic_secret: 65,
  email: 60, phone: 60, ipv4: 60, ipv6: 60,
  prompt_injection: 40, classification_label: 40, org_term: 40,
  zero_width: 30, bidi_control: 30, unicode_tag: 30, ansi_escape: 30,
}; // prettier-ignore

function better(a: Finding, b: Finding): boolean {
  const ra = rank[a.type];
  const rb = rank[b.type];
  if (ra !== rb) return ra > rb;
  const la = a.end - a.start;
  const lb = b.end - b.start;
  if (la !== lb) return la > lb;
  return a.confidence > b.confidence;
}

function resolveOverlaps(findings: Finding[], minConfidence: number): Finding[] {
  if (findings.length === 0) return findings;
  let sorted = true;
  for (let k = 1; k < findings.length && sorted; k++)
    sorted = (findings[k - 1] as Finding).start <= (findings[k] as Finding).start;
  if (!sorted) findings.sort((a, b) => a.start - b.start || b.end - a.end);
  const kept: Finding[] = [];
  for (const f of findings) {
    const last = kept[kept.length - 1];
    if (last && f.start < last.end) {
      if (better(f, last)) kept[kept.length - 1] = f;
    } else {
      kept.push(f);
    }
  }
  return minConfidence > 0 ? kept.filter((f) => f.confidence >= minConfidence) : kept;
}
