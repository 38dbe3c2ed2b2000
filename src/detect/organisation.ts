/**
 * Organisation-specific detection from policy: dictionaries (project code names, customer lists) matched
 * case-insensitively on whole words, extra regular expressions (checked for linear time when the policy loads,
 * linear-regex.ts), and data-classification labels ("CONFIDENTIAL", "Internal Only"). Compile once per policy
 * version, then pass the result to every scan.
 */
import type { OrganisationPatterns } from '../contracts/detection.js';
import { isWordCharCode } from './char-classes.js';
import { checkLinear } from './linear-regex.js';
import { trieSource } from './trie-alternation.js';
import { addFinding, type ScanContext } from './scan-context.js';

interface NamedExpression {
  readonly name: string;
  readonly re: RegExp;
}

export interface CompiledOrganisationPatterns {
  readonly dictionaries: readonly NamedExpression[];
  readonly patterns: readonly NamedExpression[];
  /** One expression for all labels; the configured spelling of each, by its normalised form. */
  readonly labels?: { readonly re: RegExp; readonly byKey: ReadonlyMap<string, string> };
}

const MAX_TERMS = 100_000;
const MAX_TERM_LENGTH = 200;
/** Findings per organisation rule and scan: a pattern that matches everywhere must not exhaust memory. */
const MAX_FINDINGS_PER_RULE = 5000;
/**
 * Whole words in any script (`u` flag): a term never matches inside a longer word. The end is checked by the
 * expression; the start in code (wordStart), because a lookbehind first would be evaluated at every position.
 */
const AFTER = String.raw`(?![\p{L}\p{N}_])`;

export function compileOrganisationPatterns(p: OrganisationPatterns): CompiledOrganisationPatterns | { error: string } {
  const dictionaries: NamedExpression[] = [];
  for (const [name, terms] of Object.entries(p.dictionaries ?? {})) {
    if (!Array.isArray(terms)) return { error: `dictionary "${name}" must be a list of terms` };
    if (terms.length > MAX_TERMS) return { error: `dictionary "${name}" has more than ${MAX_TERMS} terms` };
    const cleaned: string[] = [];
    for (let k = 0; k < terms.length; k++) {
      const term = terms[k];
      if (typeof term !== 'string' || term.trim() === '')
        return { error: `dictionary "${name}": term ${k + 1} is empty` };
      if (term.length > MAX_TERM_LENGTH)
        return { error: `dictionary "${name}": term ${k + 1} is longer than ${MAX_TERM_LENGTH} characters` };
      cleaned.push(term.trim().toLowerCase());
    }
    if (cleaned.length > 0) dictionaries.push({ name, re: new RegExp(trieSource(cleaned, escapeTerm) + AFTER, 'giu') });
  }

  const patterns: NamedExpression[] = [];
  for (const [name, source] of Object.entries(p.patterns ?? {})) {
    if (typeof source !== 'string') return { error: `pattern "${name}" must be a string` };
    const checked = checkLinear(source);
    if (!checked.ok) return { error: `pattern "${name}" ${checked.reason}` };
    patterns.push({ name, re: new RegExp(checked.source, checked.flags) });
  }

  let labels: CompiledOrganisationPatterns['labels'];
  const configured = p.classificationLabels ?? [];
  if (configured.length > 0) {
    const byKey = new Map<string, string>();
    for (const [k, label] of configured.entries()) {
      if (typeof label !== 'string' || label.trim() === '') return { error: `classification label ${k + 1} is empty` };
      byKey.set(labelKey(label), label.trim());
    }
    // Words of a label may be joined by spaces, `_` or `-`: "INTERNAL ONLY", "internal-only", "INTERNAL_ONLY".
    const joiner = String.raw`[\s_-]`;
    const source = trieSource([...byKey.keys()], (ch) => (ch === ' ' ? joiner : escapeTerm(ch)));
    labels = { re: new RegExp(source + AFTER, 'giu'), byKey };
  }
  return { dictionaries, patterns, labels };
}

export function scanOrganisation(ctx: ScanContext, compiled: CompiledOrganisationPatterns): void {
  const { text } = ctx;
  if (ctx.wanted.has('org_term')) {
    for (const d of compiled.dictionaries)
      eachMatch(text, d.re, (start, end) => addFinding(ctx, 'org_term', start, end, 0.9, 'none', false, d.name));
    for (const p of compiled.patterns)
      eachMatch(text, p.re, (start, end) => addFinding(ctx, 'org_term', start, end, 0.8, 'none', false, p.name), false);
  }
  const labels = compiled.labels;
  if (labels && ctx.wanted.has('classification_label')) {
    eachMatch(text, labels.re, (start, end) => {
      const found = text.slice(start, end);
      const label = labels.byKey.get(labelKey(found)) ?? found;
      // Written as configured or in capitals it is a marking; "confidential" in a sentence is weaker evidence.
      const marking = found === label || found === found.toUpperCase();
      addFinding(ctx, 'classification_label', start, end, marking ? 0.9 : 0.6, 'none', false, label);
    });
  }
}

function eachMatch(text: string, re: RegExp, found: (start: number, end: number) => void, wholeWords = true): void {
  re.lastIndex = 0;
  let n = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null && n < MAX_FINDINGS_PER_RULE) {
    if (m[0].length === 0) {
      re.lastIndex++;
      continue;
    }
    if (wholeWords && m.index > 0 && isWordCharCode(text.charCodeAt(m.index - 1))) {
      re.lastIndex = m.index + 1; // glued to a longer word; a term may still start further on
      continue;
    }
    found(m.index, m.index + m[0].length);
    n++;
  }
}

function labelKey(label: string): string {
  return label
    .trim()
    .toLowerCase()
    .split(/[\s_-]+/)
    .join(' ');
}

/** Escapes a term for a `u`-mode expression; inner whitespace matches any one whitespace character. */
function escapeTerm(term: string): string {
  return term.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&').replace(/\s+/g, String.raw`\s`);
}
