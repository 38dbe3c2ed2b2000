/**
 * Credentials with a vendor prefix: the prefix is the anchor and the format fixes the rest, so a match needs no
 * context — Anthropic, OpenAI, Stripe, Slack, GitHub, GitLab tokens and JWTs here, cloud keys in cloud-keys.ts.
 * Formats follow the vendors' documentation and the gitleaks/secretlint rule sets
 * (../shared/reference/anchors-audit-siem-dlp.md §C2); spans cover the token exactly, prefix included (the prefix
 * is part of the credential string, not a label).
 */
import type { AnchorRule } from './anchors.js';
import { ALNUM, BASE64, DASH, DOT, LOWER, SLASH, UNDERSCORE, WORD, isClass, runEnd, runStart } from './char-classes.js';
import { awsAccessKeyId, azureClientSecret, azureConnectionKey, base64Blob, googleApiKey } from './cloud-keys.js';
import { isExampleSecret } from './examples.js';
import { privateKey } from './private-keys.js';
import { addFinding, type ScanContext } from './scan-context.js';

/** Anthropic (`sk-ant-…`) and OpenAI (`sk-proj-…`, `sk-…T3BlbkFJ…`) keys, Stripe (`sk_live_…`), Slack webhooks. */
const skPrefixed: AnchorRule = {
  anchor: 'k',
  types: ['anthropic_api_key', 'anthropic_admin_key', 'openai_api_key', 'stripe_key', 'slack_webhook'],
  near: { after: '-_.' },
  at(ctx, i) {
    const { text } = ctx;
    const prev = text.charCodeAt(i - 1);
    const next = text.charCodeAt(i + 1);
    if (prev === 115 && next === 45) return skDash(ctx, i - 1);
    if ((prev === 115 || prev === 114) && next === 95) return stripeKey(ctx, i - 1);
    if (next === 46 && text.startsWith('hooks.slack.com/', i - 10)) return slackWebhook(ctx, i - 10);
    return i + 1;
  },
};

const ANTHROPIC_PREFIX = /^sk-ant-(admin|api|oat|ort|sid)\d\d-/;
const OPENAI_PREFIX = /^sk-(?:proj|svcacct|admin|None)-/;

function skDash(ctx: ScanContext, start: number): number {
  const { text } = ctx;
  if (isClass(text, start - 1, WORD)) return start + 2;
  const end = runEnd(text, start, WORD, 400);
  const token = text.slice(start, end);
  const anthropic = ANTHROPIC_PREFIX.exec(token);
  if (anthropic) {
    const body = token.length - anthropic[0].length;
    if (body < 32) return end;
    const exact = body === 95 && token.endsWith('AA');
    const type = anthropic[1] === 'admin' ? 'anthropic_admin_key' : 'anthropic_api_key';
    addFinding(ctx, type, start, end, exact ? 0.98 : 0.85, 'none', isExampleSecret(type, token));
    return end;
  }
  const marker = token.includes('T3BlbkFJ');
  if ((OPENAI_PREFIX.test(token) && token.length >= 40) || (marker && token.length >= 40)) {
    addFinding(
      ctx,
      'openai_api_key',
      start,
      end,
      marker ? 0.97 : 0.8,
      'none',
      isExampleSecret('openai_api_key', token),
    );
  }
  return end;
}

function stripeKey(ctx: ScanContext, start: number): number {
  const { text } = ctx;
  const mode = text.slice(start + 2, start + 8);
  if ((mode !== '_live_' && mode !== '_test_' && mode !== '_prod_') || isClass(text, start - 1, WORD)) return start + 2;
  const end = runEnd(text, start + 8, ALNUM, 248);
  if (end - start - 8 < 10 || isClass(text, end, WORD)) return start + 2;
  const value = text.slice(start, end);
  addFinding(
    ctx,
    'stripe_key',
    start,
    end,
    mode === '_test_' ? 0.85 : 0.95,
    'none',
    isExampleSecret('stripe_key', value),
  );
  return end;
}

/** `https://hooks.slack.com/services/T…/B…/…` (and /workflows/, /triggers/): the URL is the credential. */
function slackWebhook(ctx: ScanContext, host: number): number {
  const { text } = ctx;
  let start = host;
  if (text.startsWith('https://', host - 8)) start = host - 8;
  else if (text.startsWith('http://', host - 7)) start = host - 7;
  const pathStart = host + 16;
  const end = runEnd(text, pathStart, ALNUM | SLASH | UNDERSCORE | DASH, 300);
  const parts = text.slice(pathStart, end).split('/');
  const kind = parts[0];
  const last = parts[parts.length - 1] ?? '';
  if (!(kind === 'services' || kind === 'workflows' || kind === 'triggers') || parts.length < 4 || last.length < 16) {
    return host + 1;
  }
  const value = text.slice(start, end);
  addFinding(
    ctx,
    'slack_webhook',
    start,
    end,
    0.95,
    'none',
    isExampleSecret('slack_webhook', value) || value.includes('/T00000000/'),
  );
  return end;
}

/** Slack tokens: xoxb- (bot), xoxp- (user), xoxa-/xoxo-/xoxr-/xoxs-, xoxe.xoxp- (refresh) and app-level xapp-. */
const slackToken: AnchorRule = {
  anchor: '-',
  types: ['slack_token'],
  at(ctx, i) {
    const { text } = ctx;
    let start = i - 4;
    if (text.charCodeAt(start) !== 120) return i + 1; // x
    const prefix = text.slice(start, i);
    if (!(prefix.startsWith('xox') && 'abposer'.includes(prefix[3] ?? '?')) && prefix !== 'xapp') return i + 1;
    if (text.startsWith('xoxe.', start - 5)) start -= 5;
    if (isClass(text, start - 1, WORD)) return i + 1;
    const end = runEnd(text, i, WORD, 300);
    const value = text.slice(start, end);
    if (value.length < 30 || value.split('-').length < 3 || !/\d/.test(value)) return i + 1;
    addFinding(ctx, 'slack_token', start, end, 0.95, 'none', isExampleSecret('slack_token', value));
    return end;
  },
};

/** GitHub: ghp_/gho_/ghu_/ghs_/ghr_ + 36 base62 characters; fine-grained github_pat_ + 82 characters. */
const githubToken: AnchorRule = {
  anchor: '_',
  types: ['github_token'],
  near: { before: 'bpousr' },
  at(ctx, i) {
    const { text } = ctx;
    let start: number;
    let end: number;
    const before = text.charCodeAt(i - 1);
    if (before !== 98 && before !== 112 && before !== 111 && before !== 117 && before !== 115 && before !== 114)
      return i + 1;
    if (before === 98 && text.startsWith('github_pat_', i - 6)) {
      start = i - 6;
      end = runEnd(text, i + 5, ALNUM | UNDERSCORE, 255);
      if (end - (i + 5) < 70) return i + 1;
    } else if (
      text.charCodeAt(i - 3) === 103 &&
      text.charCodeAt(i - 2) === 104 &&
      'pousr'.includes(text[i - 1] ?? '?')
    ) {
      start = i - 3;
      end = runEnd(text, i + 1, ALNUM, 252);
      if (end - (i + 1) < 36) return i + 1;
    } else {
      return i + 1;
    }
    if (isClass(text, start - 1, WORD) || isClass(text, end, WORD)) return i + 1;
    addFinding(ctx, 'github_token', start, end, 0.97, 'none', isExampleSecret('github_token', text.slice(start, end)));
    return end;
  },
};

/** GitLab token prefixes (docs.gitlab.com, "Token prefixes"). */
const GITLAB_PREFIXES = new Set([
  'glpat', 'gldt', 'glrt', 'glptt', 'glcbt', 'glimt', 'gloas', 'glsoat', 'glft', 'glagent', 'glffct', 'glwt',
]); // prettier-ignore

const gitlabToken: AnchorRule = {
  anchor: '-',
  types: ['gitlab_token'],
  at(ctx, i) {
    const { text } = ctx;
    if (text.charCodeAt(i - 1) < 97) return i + 1; // the prefix ends in a lower-case letter
    const ws = runStart(text, i, LOWER, 8);
    if (text.charCodeAt(ws) !== 103 || text.charCodeAt(ws + 1) !== 108) return i + 1; // gl…
    if (!GITLAB_PREFIXES.has(text.slice(ws, i)) || isClass(text, ws - 1, WORD)) return i + 1;
    let end = runEnd(text, i + 1, WORD | DOT, 300);
    while (text.charCodeAt(end - 1) === 46) end--; // a sentence's full stop is not part of the token
    if (end - (i + 1) < 20) return i + 1;
    addFinding(ctx, 'gitlab_token', ws, end, 0.95, 'none', isExampleSecret('gitlab_token', text.slice(ws, end)));
    return end;
  },
};

/**
 * GitLab runner registration tokens: `GR1348941` + 20 characters. Found by the number scanner (numbers.ts), whose
 * trigger the seven digits of the prefix fire, rather than by one more pass over the text.
 */
export function gitlabRunnerToken(ctx: ScanContext, i: number): number {
  const { text } = ctx;
  const end = runEnd(text, i + 9, WORD, 100);
  if (end - i - 9 < 20 || isClass(text, i - 1, WORD)) return i + 9;
  addFinding(ctx, 'gitlab_token', i, end, 0.9, 'none', isExampleSecret('gitlab_token', text.slice(i, end)));
  return end;
}

/** JSON Web Tokens (RFC 7519): base64url header `eyJ…` . payload . signature (possibly empty for `alg: none`). */
const jwt: AnchorRule = {
  anchor: 'J',
  types: ['jwt'],
  near: { before: 'y' },
  at(ctx, i) {
    const { text } = ctx;
    const start = i - 2;
    if (text.charCodeAt(start) !== 101 || text.charCodeAt(start + 1) !== 121 || isClass(text, start - 1, WORD | DOT)) {
      return i + 1;
    }
    const headerEnd = runEnd(text, start, WORD, 2000);
    if (headerEnd - start < 10 || text.charCodeAt(headerEnd) !== 46 || !text.startsWith('ey', headerEnd + 1))
      return i + 1;
    const payloadEnd = runEnd(text, headerEnd + 1, WORD, 16000);
    if (payloadEnd - headerEnd - 1 < 10) return i + 1;
    let end = payloadEnd;
    if (text.charCodeAt(payloadEnd) === 46) end = runEnd(text, payloadEnd + 1, WORD, 4000);
    if (text.charCodeAt(end) === 46 && isClass(text, end + 1, WORD)) return end; // five parts: a JWE, not a JWS
    const value = text.slice(start, end);
    const header = decodeJsonSegment(text.slice(start, headerEnd));
    const valid = header !== undefined && typeof (header as { alg?: unknown }).alg === 'string';
    const signed = end > payloadEnd + 1;
    addFinding(
      ctx,
      'jwt',
      start,
      end,
      valid ? (signed ? 0.95 : 0.8) : 0.5,
      valid ? 'valid' : 'invalid',
      isExampleSecret('jwt', value),
    );
    return end;
  },
};

/** Decodes one base64url JWT segment as JSON (RFC 7515 §2), or undefined. */
function decodeJsonSegment(segment: string): unknown {
  try {
    const b64 = segment.replace(/-/g, '+').replace(/_/g, '/');
    const parsed: unknown = JSON.parse(atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4)));
    return parsed !== null && typeof parsed === 'object' ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/**
 * One rule per anchor character where several detectors share it: the neighbouring character picks the one to
 * run, so a hit costs one call (base64 and upper-case identifiers put an `A` every few hundred characters).
 */
const LOWER_CHARS = 'abcdefghijklmnopqrstuvwxyz';
const BASE64_CHARS = LOWER_CHARS.toUpperCase() + LOWER_CHARS + '0123456789+/';

const capitalA: AnchorRule = {
  anchor: 'A',
  types: [...awsAccessKeyId.types, ...googleApiKey.types, ...azureConnectionKey.types],
  // Inside base64, or the second letter of AKIA/ASIA/ABIA/ACCA/A3T, AIza, AccountKey/AccessKey.
  near: { before: BASE64_CHARS, after: 'KSBC3Ic' },
  at(ctx, i) {
    const { text } = ctx;
    const next = text.charCodeAt(i + 1);
    if (isClass(text, i - 1, BASE64)) {
      // Not a token start (…SharedAccessKey= aside): perhaps inside a base64 blob.
      const resume = base64Blob(ctx, i);
      return resume > i + 1 || next !== 99 ? resume : azureConnectionKey.at(ctx, i);
    }
    if (next === 73) return googleApiKey.at(ctx, i); // AI…
    if (next === 99) return azureConnectionKey.at(ctx, i); // Ac…
    return awsAccessKeyId.at(ctx, i);
  },
};

/**
 * Anchors for the tokens whose prefix ends in `-`: the prefix itself rather than the `-` (uuids, kebab-case
 * identifiers and model names put one every few dozen characters in a Claude Code payload, and each hit costs a
 * call; a literal search runs in C++). The rules above take the position of the `-`.
 */
const armouredKey: AnchorRule = {
  anchor: 'BEGIN ', // not `-----BEGIN `: V8 looks for a literal's first character, and `-` is frequent
  types: privateKey.types,
  near: { before: '-' },
  at: (ctx, i) => (ctx.text.startsWith('-----', i - 5) ? privateKey.at(ctx, i - 5) : i + 1),
};
const slackXox: AnchorRule = {
  anchor: 'xox',
  types: slackToken.types,
  at: (ctx, i) => (ctx.text.charCodeAt(i + 4) === 45 ? slackToken.at(ctx, i + 4) : i + 1), // xoxb-, xoxp-, …
};
const slackApp: AnchorRule = { anchor: 'xapp-', types: slackToken.types, at: (ctx, i) => slackToken.at(ctx, i + 4) };
const gitlabPrefix: AnchorRule = {
  anchor: 'gl',
  types: gitlabToken.types,
  near: { after: LOWER_CHARS },
  at(ctx, i) {
    const dash = runEnd(ctx.text, i + 2, LOWER, 6);
    return ctx.text.charCodeAt(dash) === 45 ? gitlabToken.at(ctx, dash) : i + 1;
  },
};

export const secretTokenRules: readonly AnchorRule[] = [
  capitalA,
  skPrefixed,
  armouredKey,
  slackXox,
  slackApp,
  gitlabPrefix,
  githubToken,
  azureClientSecret,
  jwt,
];
