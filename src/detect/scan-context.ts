import { detectorTypes, type DetectorType, type Finding, type ValidatorResult } from '../contracts/detection.js';

/** What a detector sees: the text, the types the caller wants, and where findings go. */
export interface ScanContext {
  readonly text: string;
  readonly findings: Finding[];
  /** Types the caller asked for; detectors skip work for types not in it. */
  readonly wanted: ReadonlySet<DetectorType>;
  /** Start offsets of identifiers already examined as credential names (several anchors hit the same name). */
  namesSeen?: Set<number>;
  /** Credential values already judged, by end: the smallest start (credential-assignments.ts). */
  valueEnds?: Map<number, number>;
  /** A stretch [from, to) holding no value stop, `to` being one or the end (credential-assignments.ts). */
  valueRun?: { from: number; to: number };
  /** The last walk back from an `@` to the stop before its URL authority (url-credentials.ts). */
  authorityWalk?: { at: number; stop: number };
  /** The last search for each PEM END line (private-keys.ts): where it started and what it found. */
  endLines?: Map<string, { from: number; at: number }>;
  /**
   * Spans already accounted for — a recognised key or token, a long base64 blob — as start, end pairs sorted by
   * start. Later anchor passes skip them: a 2 KB PEM body holds a hundred `A`, `k`, `K`, `J` and `w` anchors.
   */
  readonly consumed: number[];
}

export function createContext(text: string, wanted: ReadonlySet<DetectorType>): ScanContext {
  // Every field from the start, the lazily filled ones undefined: contexts then share one hidden class. Fields
  // added on first use gave each scan one of a dozen shapes, and V8 read `ctx.text` in the rules megamorphically.
  return {
    text,
    findings: [],
    wanted,
    namesSeen: undefined,
    valueEnds: undefined,
    valueRun: undefined,
    authorityWalk: undefined,
    endLines: undefined,
    consumed: [],
  };
}

/** Marks [start, end) as accounted for (see ScanContext.consumed). */
export function consume(ctx: ScanContext, start: number, end: number): void {
  const c = ctx.consumed;
  let k = c.length;
  while (k > 0 && (c[k - 2] as number) > start) k -= 2;
  c.splice(k, 0, start, end);
}

/** Types whose span is a whole token: once found, no other anchor inside it needs a look. */
const TOKEN_TYPES: ReadonlySet<DetectorType> = new Set<DetectorType>([
  'anthropic_api_key', 'anthropic_admin_key', 'openai_api_key', 'aws_access_key_id', 'gcp_service_account',
  'google_api_key', 'azure_storage_key', 'azure_client_secret', 'github_token', 'gitlab_token', 'slack_token',
  'slack_webhook', 'stripe_key', 'private_key', 'jwt',
]); // prettier-ignore

/** Confidence given to documented example values: reported so a policy can see them, never treated as live. */
export const EXAMPLE_CONFIDENCE = 0.1;

export function addFinding(
  ctx: ScanContext,
  type: DetectorType,
  start: number,
  end: number,
  confidence: number,
  validator: ValidatorResult = 'none',
  example = false,
  rule?: string,
): void {
  if (TOKEN_TYPES.has(type) && end - start >= 16) consume(ctx, start, end);
  if (!ctx.wanted.has(type) || end <= start) return;
  const finding: Finding = {
    type,
    class: detectorTypes[type],
    start,
    end,
    confidence: example ? EXAMPLE_CONFIDENCE : Math.round(Math.min(1, Math.max(0, confidence)) * 100) / 100,
    validator,
  };
  if (example) finding.example = true;
  if (rule !== undefined) finding.rule = rule;
  ctx.findings.push(finding);
}

/** Whether `pos` lies in a consumed span. */
export function isConsumed(ctx: ScanContext, pos: number): boolean {
  const c = ctx.consumed;
  for (let k = 0; k < c.length; k += 2) {
    if ((c[k] as number) > pos) return false;
    if ((c[k + 1] as number) > pos) return true;
  }
  return false;
}

/**
 * Context words for one kind of datum (Presidio-style: a nearby "card" or "ssn" raises confidence), matched as
 * whole words, case-insensitively. Single words are looked up in a set, one tokenisation per check.
 */
export class ContextWords {
  private readonly single: ReadonlySet<string>;
  private readonly phrases: readonly string[];
  /** First words of the phrases: only a window holding one is searched for phrases. */
  private readonly openers: ReadonlySet<string>;
  /** Bounds of the words' lengths, and whether one starts with a digit: most words are rejected unread. */
  private readonly shortest: number;
  private readonly longest: number;
  private readonly digitFirst: boolean;
  constructor(words: readonly string[]) {
    const single = words.filter((w) => /^[a-z0-9]+$/.test(w));
    this.single = new Set(single);
    this.phrases = words.filter((w) => !/^[a-z0-9]+$/.test(w));
    this.openers = new Set(this.phrases.map((p) => (/^[a-z0-9]+/.exec(p) ?? [''])[0]).filter((w) => w !== ''));
    const all = [...single, ...this.openers];
    this.shortest = Math.min(...all.map((w) => w.length));
    this.longest = Math.max(0, ...all.map((w) => w.length));
    this.digitFirst = all.some((w) => /^\d/.test(w));
  }

  /** Whether a word occurs in the `window` characters before `start` or the `after` characters after `end`. */
  near(text: string, start: number, window = 48, end = start, after = 0): boolean {
    return (
      this.in(text, Math.max(0, start - window), start) ||
      (after > 0 && this.in(text, end, Math.min(text.length, end + after)))
    );
  }

  private in(text: string, from: number, to: number): boolean {
    let k = from;
    let opener = false;
    while (k < to) {
      while (k < to && !isLowerAlnumOrUpper(text.charCodeAt(k))) k++;
      const s = k;
      while (k < to && isLowerAlnumOrUpper(text.charCodeAt(k))) k++;
      const n = k - s;
      if (n < this.shortest || n > this.longest || (!this.digitFirst && text.charCodeAt(s) <= 57)) continue;
      const word = text.slice(s, k).toLowerCase();
      if (this.single.has(word)) return true;
      if (this.openers.has(word)) opener = true;
    }
    if (!opener) return false;
    const lower = text.slice(from, to).toLowerCase();
    for (const p of this.phrases) if (containsWord(lower, p)) return true;
    return false;
  }
}

function containsWord(haystack: string, word: string): boolean {
  let k = haystack.indexOf(word);
  while (k !== -1) {
    if (!isLowerAlnum(haystack.charCodeAt(k - 1)) && !isLowerAlnum(haystack.charCodeAt(k + word.length))) return true;
    k = haystack.indexOf(word, k + 1);
  }
  return false;
}

function isLowerAlnum(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 48 && c <= 57);
}

function isLowerAlnumOrUpper(c: number): boolean {
  return isLowerAlnum(c) || (c >= 65 && c <= 90);
}
