/**
 * Secrets identified by their name rather than their shape: `password = "…"`, `"client_secret": "…"`,
 * `AWS_SECRET_ACCESS_KEY=…`, `Authorization: Bearer …`, `<password>…</password>`, `--token …`, "my password is …".
 * Anchors are fragments of credential words (`k`/`K` for key and token, `cret` for secret, `word`/`wd` for
 * password/passwd/pwd, `z` for authorization); at each, the enclosing identifier is classified
 * (credential-names.ts), the assignment after it parsed, and the value kept only if it looks generated — long
 * enough, mixed characters, high entropy — and is not a reference, a placeholder or an expression.
 * The span is the value alone, never the name or the quotes.
 */
import type { DetectorType } from '../contracts/detection.js';
import type { AnchorRule } from './anchors.js';
import {
  ALNUM,
  DASH,
  DOT,
  PLUS,
  SLASH,
  UNDERSCORE,
  allOf,
  codeAt,
  indexWithin,
  isClass,
  matchesLower,
  runEnd,
  runStart,
} from './char-classes.js';
import { classifyName, type CredentialFamily } from './credential-names.js';
import { characterKinds, shannonEntropy } from './entropy.js';
import { isExampleSecret } from './examples.js';
import { addFinding, isConsumed, type ScanContext } from './scan-context.js';

const NAME = ALNUM | UNDERSCORE | DASH | DOT;
const MAX_NAME = 80;
const MAX_VALUE = 1000;
const TYPES: readonly DetectorType[] = ['generic_secret', 'aws_secret_access_key', 'azure_storage_key'];

function rule(anchor: string, at: AnchorRule['at'], near?: AnchorRule['near']): AnchorRule {
  return { anchor, types: TYPES, ...(near ? { near } : {}), at };
}

const keyOrToken = (text: string, i: number): boolean => {
  if ((codeAt(text, i + 1) | 32) !== 101) return false; // ke…
  if (matchesLower(text, i, 'key')) {
    // `key` alone (a JSON or YAML map key) names nothing; a qualifier must be glued to it (api_key, apiKey).
    return isClass(text, i - 1, NAME) || isClass(text, i + 3, NAME);
  }
  return matchesLower(text, i - 2, 'token');
};
/** At `word`, `wd` or `W`: password, passwd, pwd in any case. */
const password = (text: string, i: number): boolean => {
  const before = text.charCodeAt(i - 1) | 32;
  return (before === 115 && matchesLower(text, i - 4, 'passw')) || (before === 112 && matchesLower(text, i - 1, 'pwd'));
};
const authorization = (text: string, i: number): boolean =>
  (text.charCodeAt(i - 1) | 32) === 105 && matchesLower(text, i - 7, 'authorization');
/** After `_`: DB_PASS, client_secret, AWS_SECRET_…, app_credentials. */
const underscored = (text: string, i: number): boolean => {
  const c = text.charCodeAt(i + 1) | 32; // lower-cased
  if (c === 112) return matchesLower(text, i + 1, 'pass') || matchesLower(text, i + 1, 'pwd');
  if (c === 115) return matchesLower(text, i + 1, 'secret');
  return c === 99 && matchesLower(text, i + 1, 'cred');
};

/**
 * Anchors chosen for cost (bench/detect.bench.ts): single characters that are rare in prose and code, or literals
 * starting with one (V8 finds a rare first character with memchr); every extra anchor is one more pass over the
 * text. Not anchored, because searching for them would cost as much as the rest of the scan: lower-case `secret`
 * on its own (`client_secret`, `clientSecret`, `SECRET`, `secret_key` are anchored), `credential(s)` (usually an
 * object, not a value) and upper-case `AUTHORIZATION`.
 */
export const credentialRules: readonly AnchorRule[] = [
  rule('k', atKeyOrToken, { after: 'eE' }),
  rule('K', atKeyOrToken, { after: 'eE' }),
  rule('word', atPassword, { before: 'sSpP' }),
  rule('wd', atPassword, { before: 'sSpP' }),
  rule('W', atPassword, { before: 'sSpP' }),
  rule('_', atUnderscored, { after: 'pPsScC' }),
  rule('Secret', examineName),
  rule('CRET', examineName),
  rule('z', atAuthorization, { before: 'iI' }),
];

/*
 * One function per check rather than one closure over a check: the call inside stays monomorphic, so V8 inlines
 * it (a shared closure cost more than the search for `k` on JSON full of `"key"`: bench/detect.bench.ts).
 */
function atKeyOrToken(ctx: ScanContext, i: number): number {
  return keyOrToken(ctx.text, i) ? examineName(ctx, i) : i + 1;
}
function atPassword(ctx: ScanContext, i: number): number {
  return password(ctx.text, i) ? examineName(ctx, i) : i + 1;
}
function atUnderscored(ctx: ScanContext, i: number): number {
  return underscored(ctx.text, i) ? examineName(ctx, i) : i + 1;
}
function atAuthorization(ctx: ScanContext, i: number): number {
  return authorization(ctx.text, i) ? examineName(ctx, i) : i + 1;
}

function examineName(ctx: ScanContext, i: number): number {
  const { text } = ctx;
  const ne = runEnd(text, i, NAME, MAX_NAME);
  // Cheap check first: most occurrences of "key" or "token" are not followed by an assignment.
  if (!assignmentMayFollow(text, ne)) return ne;
  let ns = runStart(text, i, NAME, MAX_NAME);
  // `key` alone is a map key, not a credential name (JSON and OTLP attributes are full of them).
  if (matchesLower(text, ns, 'key') && (ne - ns === 3 || (ne - ns === 4 && (text.charCodeAt(ne - 1) | 32) === 115)))
    return ne;
  const seen = (ctx.namesSeen ??= new Set());
  if (ne - ns >= MAX_NAME || seen.has(ns)) return ne;
  seen.add(ns);
  while (text.charCodeAt(ns) === 46) ns++; // `.env`-style leading dots are not part of the name
  const { words, family } = classifyName(text.slice(ns, ne));
  if (!family) return ne;
  const value = valueAfter(ctx, ns, ne);
  if (!value || value.end - value.start < 8) return ne;
  // A name inside a value already examined (`token=api_key=…`, repeated) would re-read the same characters:
  // each value is judged once, from its first name, so hostile repetition costs linear time.
  const judged = (ctx.valueEnds ??= new Map());
  const first = judged.get(value.stop);
  if (first !== undefined && first <= value.start) return ne;
  judged.set(value.stop, value.start);
  if (value.prose && family === 'auth') return ne;
  // A vendor token is reported by its own detector (secret-tokens.ts); a generic duplicate would only lose.
  if (isConsumed(ctx, value.start) || vendorTokenAt(text, value.start)) return ne;
  const { start, end, quoted } = value;
  const type = pickType(text, words, start, end);
  if (type === 'generic_secret' && !acceptable(text, start, end, family, quoted, value.scheme)) return ne;
  const example = isExampleSecret(type, text.slice(start, end));
  const strong = shannonEntropy(text, start, end) >= 4 || type !== 'generic_secret';
  addFinding(ctx, type, start, end, strong ? 0.85 : family === 'password' ? 0.75 : 0.65, 'none', example);
  // Resume after the name, not the value: other rules sharing this anchor (sk-…, sk_live_…) must see the value.
  return ne;
}

function pickType(text: string, words: readonly string[], start: number, end: number): DetectorType {
  const len = end - start;
  if (len === 40 && allOf(text, start, end, ALNUM | PLUS | SLASH) && words.includes('secret')) {
    if (words.includes('aws') || (words.includes('access') && words.includes('key'))) return 'aws_secret_access_key';
  }
  if (len === 88 && text.charCodeAt(end - 1) === 61 && words.includes('account') && words.includes('key')) {
    return 'azure_storage_key';
  }
  return 'generic_secret';
}

/**
 * The start of a vendor token whose anchor pass may not have run yet when a name before it is examined
 * (tokens found by earlier passes are consumed spans; see anchors.ts for the order).
 */
function vendorTokenAt(text: string, at: number): boolean {
  switch (text.charCodeAt(at)) {
    case 115: // sk-…, sk_live_…
    case 114: // rk_live_…
      if (text.charCodeAt(at + 1) !== 107) return false;
      if (text.charCodeAt(at + 2) === 45) return text.charCodeAt(at) === 115;
      return (
        text.charCodeAt(at + 2) === 95 &&
        (text.startsWith('live_', at + 3) || text.startsWith('test_', at + 3) || text.startsWith('prod_', at + 3))
      );
    case 103: // ghp_…, github_pat_…
      return (
        (text.charCodeAt(at + 1) === 104 && 'pousr'.includes(text[at + 2] ?? '?') && text.charCodeAt(at + 3) === 95) ||
        text.startsWith('github_pat_', at)
      );
    case 104: // https://hooks.slack.com/…
      return text.startsWith('https://hooks.slack.com/', at);
    default:
      return false;
  }
}

interface Value {
  start: number;
  end: number;
  quoted: boolean;
  /** Written as prose ("the password is …") rather than as an assignment. */
  prose?: boolean;
  scheme?: string;
  /** Where the value's characters run out: its end, or past MAX_VALUE when it was cut there. */
  stop: number;
}

const QUOTES = '"\'`';
/** HTTP authentication schemes (RFC 9110 §11) and common token words written before the credential. */
const SCHEMES = ['bearer', 'basic', 'token', 'bot', 'digest', 'apikey', 'sso-key'];

/** Parses `name <op> value` after the identifier [ns, ne). */
function valueAfter(ctx: ScanContext, ns: number, ne: number): Value | undefined {
  const { text } = ctx;
  let j = ne;
  let prose = false;
  const open = text[ns - 1] ?? '';
  if (QUOTES.includes(open) && open !== '' && text[j] === open) j++;
  const afterName = j;
  j = skipBlanks(text, j, 4);
  const c = codeAt(text, j);
  if (open === '<' && c === 62) {
    // <password>value</password>
    const end = indexWithin(text, '</', j + 1, j + MAX_VALUE + 1);
    return end > j + 1 && end - j <= MAX_VALUE ? { start: j + 1, end, quoted: true, stop: end } : undefined;
  }
  if (c === 58 && codeAt(text, j + 1) !== 58) {
    j += codeAt(text, j + 1) === 61 ? 2 : 1; // `:` or `:=`
  } else if (c === 61 && codeAt(text, j + 1) !== 61) {
    j += codeAt(text, j + 1) === 62 ? 2 : 1; // `=` or `=>`
  } else if (matchesLower(text, j, 'is ') && j > afterName) {
    j += 3; // prose: "the password is …"
    prose = true;
  } else if (text.charCodeAt(ns) === 45 && text.charCodeAt(ns + 1) === 45 && j > afterName) {
    // a command-line flag: --password value
  } else {
    return undefined;
  }
  j = skipBlanks(text, j, 4);
  let scheme: string | undefined;
  {
    for (const s of SCHEMES) {
      if (matchesLower(text, j, s) && text.charCodeAt(j + s.length) === 32) {
        scheme = s;
        j = skipBlanks(text, j + s.length, 4);
        break;
      }
    }
  }
  const q = text[j] ?? '';
  if (q !== '' && QUOTES.includes(q)) {
    const end = indexWithin(text, q, j + 1, j + MAX_VALUE + 1);
    if (end < 0 || end - j > MAX_VALUE || text.slice(j + 1, end).includes('\n')) return undefined;
    return { start: j + 1, end, quoted: true, prose, scheme, stop: end };
  }
  const stop = valueStop(ctx, j);
  let end = Math.min(stop, j + MAX_VALUE);
  while (end > j && isTrailingPunctuation(text.charCodeAt(end - 1))) end--;
  return end > j ? { start: j, end, quoted: false, prose, scheme, stop } : undefined;
}

/**
 * The first value stop at or after `j` (or the end of the text). Remembers the stretch it crossed, so names
 * repeated inside one long unquoted value (`token=token=…`) do not scan it again each: linear overall.
 */
function valueStop(ctx: ScanContext, j: number): number {
  const { text } = ctx;
  const known = ctx.valueRun;
  if (known && known.from <= j && j <= known.to) return known.to;
  let k = j;
  while (k < text.length && !isValueStop(text.charCodeAt(k))) k++;
  ctx.valueRun = { from: j, to: k };
  return k;
}

/** `:`, `=`, `>` (XML), a quote closing a JSON key, or a blank (flags, prose) right after the name. */
function assignmentMayFollow(text: string, ne: number): boolean {
  const c = codeAt(text, ne);
  return c === 58 || c === 61 || c === 62 || c === 34 || c === 39 || c === 96 || c === 32 || c === 9 || c === 93;
}

function skipBlanks(text: string, j: number, max: number): number {
  const limit = Math.min(text.length, j + max);
  while (j < limit && (text.charCodeAt(j) === 32 || text.charCodeAt(j) === 9)) j++;
  return j;
}

/** Whitespace and the characters that close a value in code, JSON, YAML, XML and prose. */
function isValueStop(c: number): boolean {
  return (
    c <= 32 ||
    c === 44 ||
    c === 59 ||
    c === 40 ||
    c === 41 ||
    c === 125 ||
    c === 93 ||
    c === 62 ||
    c === 60 ||
    c === 34 ||
    c === 39 ||
    c === 96
  );
}

function isTrailingPunctuation(c: number): boolean {
  return c === 46 || c === 58 || c === 33 || c === 63;
}

/** Leading characters of references, templates, masks and YAML anchors/tags: `${X}`, `%s`, `{{x}}`, `<x>`, `***`. */
const REFERENCE_START = '$%{<[*&!#@';
/**
 * Words of placeholders and references, in lower, upper or capitalised spelling — not in random case, so a
 * generated value that happens to contain "ToDo" is not taken for a placeholder.
 */
const PLACEHOLDER_WORDS = [
  'your', 'here', 'example', 'placeholder', 'changeme', 'change_me', 'replace', 'dummy', 'redacted', 'xxxx', 'todo',
  'sample', 'fake',
]; // prettier-ignore
const REFERENCES = ['****', 'process.env', 'os.environ', 'getenv', 'secrets.', 'env('];

function isPlaceholder(value: string, lower: string): boolean {
  for (const word of PLACEHOLDER_WORDS) {
    let k = lower.indexOf(word);
    while (k !== -1) {
      const found = value.slice(k, k + word.length);
      if (found === word || found === word.toUpperCase() || found === word[0]?.toUpperCase() + word.slice(1))
        return true;
      k = lower.indexOf(word, k + 1);
    }
  }
  for (const ref of REFERENCES) if (lower.includes(ref)) return true;
  return false;
}

const LITERAL = /^(?:null|none|nil|undefined|true|false|required|optional|string|secret|password|token)$/;
const WORDS_ONLY = /^[a-z]+(?:[-_.][a-z]+)*$|^(?:[A-Z][a-z]+)+$|^[A-Z]+(?:_[A-Z]+)*$/;
/** `settings.CLIENT_SECRET`, `process.env.TOKEN`: words joined by dots (generated values have digits). */
const DOTTED_EXPRESSION = /^[A-Za-z_$]+(?:\.[A-Za-z_$]+)+$/;
const URL = /^(?:[a-z][a-z0-9+.-]*:\/\/|file:)/;
const PATH = /^(?:~|\.{1,2})?\/[\w./-]*$/;

/** Whether a generic value looks like a generated credential rather than a reference, a word or an expression. */
function acceptable(
  text: string,
  start: number,
  end: number,
  family: CredentialFamily,
  quoted: boolean,
  scheme?: string,
): boolean {
  const len = end - start;
  if (len < 8) return false;
  if (REFERENCE_START.includes(text[start] ?? '')) return false;
  const value = text.slice(start, end);
  const lower = value.toLowerCase();
  if (isPlaceholder(value, lower) || LITERAL.test(lower) || /^\d+$/.test(value) || URL.test(lower) || isPath(value))
    return false;
  if (WORDS_ONLY.test(value)) return false;
  if (!quoted && (text.charCodeAt(end) === 40 || DOTTED_EXPRESSION.test(value))) return false;
  if (scheme === 'basic') return basicCredentials(value);
  const kinds = characterKinds(text, start, end);
  const entropy = shannonEntropy(text, start, end);
  if (family === 'password') return kinds >= 2 && entropy >= 2.5;
  return len >= 16 && kinds >= 2 && entropy >= 3;
}

/** `/etc/app/key.pem`, `./secrets/token`, `~/.ssh/id_rsa` — but not base64 that happens to start with `/`. */
function isPath(value: string): boolean {
  if (!PATH.test(value)) return false;
  return !value.split('/').some((s) => s.length >= 10 && /[a-z]/.test(s) && /[A-Z]/.test(s) && /\d/.test(s));
}

/** `Authorization: Basic base64(user:password)` (RFC 7617). */
function basicCredentials(value: string): boolean {
  try {
    return atob(value).includes(':');
  } catch {
    return false;
  }
}
