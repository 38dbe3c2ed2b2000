/**
 * Cloud provider credentials: AWS access key ids (and the secret access key written right after one), Google API
 * keys, Azure Storage and Service Bus connection-string keys, Microsoft Entra ID client secrets. Formats from the
 * providers' documentation and the gitleaks/secretlint rule sets (../shared/reference/anchors-audit-siem-dlp.md §C2).
 */
import type { AnchorRule } from './anchors.js';
import {
  ALNUM,
  BASE64,
  DIGIT,
  DOT,
  DASH,
  EQUALS,
  LOWER,
  TILDE,
  UNDERSCORE,
  UPPER,
  WORD,
  classAt,
  isClass,
  runEnd,
  runStart,
} from './char-classes.js';
import { shannonEntropy } from './entropy.js';
import { isExampleSecret } from './examples.js';
import { addFinding, consume, type ScanContext } from './scan-context.js';

/** AWS access key ids: AKIA (long-term), ASIA (STS), ABIA, ACCA, A3T… then 16 base32 characters (A–Z, 2–7). */
export const awsAccessKeyId: AnchorRule = {
  anchor: 'A',
  types: ['aws_access_key_id', 'aws_secret_access_key'],
  at(ctx, i) {
    const { text } = ctx;
    // AKIA, ASIA, ABIA, ACCA, A3T?: decided on the next character before any string comparison.
    const c1 = text.charCodeAt(i + 1);
    const longTerm = c1 === 75 && text.startsWith('IA', i + 2);
    if (
      !longTerm &&
      !((c1 === 83 || c1 === 66) && text.startsWith('IA', i + 2)) &&
      !(c1 === 67 && text.startsWith('CA', i + 2)) &&
      !(c1 === 51 && text.charCodeAt(i + 2) === 84 && isClass(text, i + 3, UPPER | DIGIT))
    ) {
      return i + 1;
    }
    const end = i + 20;
    if (isClass(text, i - 1, ALNUM) || isClass(text, end, ALNUM) || !isBase32(text, i + 4, end)) return i + 1;
    const value = text.slice(i, end);
    const example = isExampleSecret('aws_access_key_id', value);
    if (!example && shannonEntropy(text, i, end) < 2.5) return i + 1;
    addFinding(ctx, 'aws_access_key_id', i, end, longTerm ? 0.95 : 0.9, 'none', example);
    pairedAwsSecret(ctx, end);
    return end;
  },
};

function isBase32(text: string, start: number, end: number): boolean {
  for (let k = start; k < end; k++) {
    const c = text.charCodeAt(k);
    if (!((c >= 65 && c <= 90) || (c >= 50 && c <= 55))) return false;
  }
  return true;
}

/**
 * A 40-character secret access key right after an access key id, separated only by a comma, a tab, a pipe or
 * spaces — the credentials CSV AWS lets users download, or a table. Named forms (`aws_secret_access_key = …`)
 * are found by the credential rule; overlapping equal findings are merged by the scanner.
 */
function pairedAwsSecret(ctx: ScanContext, from: number): void {
  const { text } = ctx;
  let k = from;
  while (k < from + 8 && (text[k] === ',' || text[k] === '\t' || text[k] === '|' || text[k] === ' ' || text[k] === ';'))
    k++;
  if (k === from) return;
  const end = runEnd(text, k, BASE64, 41);
  if (end - k === 40 && !isClass(text, end, BASE64 | EQUALS) && looksRandom(text, k, end)) {
    addFinding(
      ctx,
      'aws_secret_access_key',
      k,
      end,
      0.8,
      'none',
      isExampleSecret('aws_secret_access_key', text.slice(k, end)),
    );
  }
}

/** Mixed case with a digit or symbol and some entropy: what a random key looks like and a word does not. */
export function looksRandom(text: string, start: number, end: number): boolean {
  let lower = false;
  let upper = false;
  let other = false;
  for (let k = start; k < end; k++) {
    const cls = classAt(text, k);
    if (cls & LOWER) lower = true;
    else if (cls & UPPER) upper = true;
    else other = true;
  }
  return lower && upper && other && shannonEntropy(text, start, end) >= 3.5;
}

/** Google API keys: `AIza` + 35 base64url characters. */
export const googleApiKey: AnchorRule = {
  anchor: 'A',
  types: ['google_api_key'],
  at(ctx, i) {
    const { text } = ctx;
    if (text.charCodeAt(i + 1) !== 73 || !text.startsWith('za', i + 2) || isClass(text, i - 1, WORD)) return i + 1;
    const end = runEnd(text, i, WORD, 40);
    if (end - i !== 39) return i + 1;
    addFinding(ctx, 'google_api_key', i, end, 0.9, 'none', isExampleSecret('google_api_key', text.slice(i, end)));
    return end;
  },
};

/** Azure Storage connection strings (`AccountKey=` 88 base64 characters) and Service Bus/Event Hubs SAS keys. */
export const azureConnectionKey: AnchorRule = {
  anchor: 'A',
  types: ['azure_storage_key'],
  at(ctx, i) {
    const { text } = ctx;
    if (text.charCodeAt(i + 1) !== 99) return i + 1; // Ac…
    let v = -1;
    if (text.startsWith('AccountKey=', i)) v = i + 11;
    else if (text.startsWith('AccessKey=', i) && text.startsWith('Shared', i - 6)) v = i + 10;
    if (v < 0) return i + 1;
    const end = runEnd(text, v, BASE64 | EQUALS, 100);
    const n = end - v;
    if (!(n === 88 || n === 44) || text.charCodeAt(end - 1) !== 61) return i + 1;
    addFinding(
      ctx,
      'azure_storage_key',
      v,
      end,
      0.95,
      'none',
      isExampleSecret('azure_storage_key', text.slice(v, end)),
    );
    return end;
  },
};

/** Microsoft Entra ID client secrets: 3 characters, a digit, `Q~`, then 31–34 characters (40 in all). */
const SECRET_CHARS = ALNUM | UNDERSCORE | TILDE | DOT | DASH;
export const azureClientSecret: AnchorRule = {
  anchor: '~',
  types: ['azure_client_secret'],
  near: { before: 'Q' },
  at(ctx, i) {
    const { text } = ctx;
    if (text.charCodeAt(i - 1) !== 81 || !isClass(text, i - 2, DIGIT)) return i + 1;
    const start = i - 5;
    if (runEnd(text, start, ALNUM | UNDERSCORE | TILDE | DOT, 3) !== i - 2 || isClass(text, start - 1, SECRET_CHARS)) {
      return i + 1;
    }
    const runEndAt = runEnd(text, i + 1, SECRET_CHARS, 36);
    if (isClass(text, runEndAt, SECRET_CHARS)) return i + 1; // longer than any client secret
    let end = runEndAt;
    while (end - (i + 1) > 34 && text.charCodeAt(end - 1) === 46) end--; // a sentence's full stop
    const body = end - (i + 1);
    if (body < 31 || body > 34) return i + 1;
    addFinding(
      ctx,
      'azure_client_secret',
      start,
      end,
      0.9,
      'none',
      isExampleSecret('azure_client_secret', text.slice(start, end)),
    );
    return end;
  },
};

/** Base64 runs this long are data (images, hashes, certificates), never one of the tokens above. */
const BLOB = 200;

/** Inside a long run of base64 at `i`: consume the run so the other anchors skip it. */
export function base64Blob(ctx: ScanContext, i: number): number {
  const { text } = ctx;
  const start = runStart(text, i, BASE64 | EQUALS, 8192);
  const end = runEnd(text, i, BASE64 | EQUALS, 8192);
  if (end - start < BLOB) return i + 1;
  consume(ctx, start, end);
  return end;
}
