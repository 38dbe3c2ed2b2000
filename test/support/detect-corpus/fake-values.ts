/**
 * Well-formed fake values: random, never real credentials, with valid check digits where the format has them
 * (Luhn, MOD 97-10, ABA). Published example values are excluded here; examples.ts in src/detect lists them and
 * the corpus uses them only as labelled examples.
 */
import type { Rng } from './random.js';
import { ALNUM, B64URL, DIGITS, HEXL, LOWER, UPPER, base64, base64url } from './random.js';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const BASE64_CHARS = ALNUM + '+/';

/** Mixed case with digits: what a random key looks like (re-rolled until it has all three). */
function mixed(rng: Rng, alphabet: string, n: number): string {
  for (;;) {
    const s = rng.chars(alphabet, n);
    if (/[a-z]/.test(s) && /[A-Z]/.test(s) && /\d/.test(s)) return s;
  }
}

export const fake = {
  anthropicKey: (rng: Rng) => `sk-ant-${rng.pick(['api03', 'api03', 'oat01'])}-${mixed(rng, B64URL, 93)}AA`,
  anthropicAdminKey: (rng: Rng) => `sk-ant-admin01-${mixed(rng, B64URL, 93)}AA`,
  openaiKey: (rng: Rng) =>
    rng.pick([
      () => `sk-proj-${mixed(rng, B64URL, 74)}T3BlbkFJ${mixed(rng, B64URL, 74)}`,
      () => `sk-svcacct-${mixed(rng, B64URL, 74)}T3BlbkFJ${mixed(rng, B64URL, 74)}`,
      () => `sk-${mixed(rng, ALNUM, 20)}T3BlbkFJ${mixed(rng, ALNUM, 20)}`,
    ])(),
  awsKeyId: (rng: Rng) => `${rng.pick(['AKIA', 'AKIA', 'ASIA'])}${rng.chars(BASE32, 16)}`,
  awsSecret: (rng: Rng) => mixed(rng, BASE64_CHARS, 40),
  googleKey: (rng: Rng) => `AIza${mixed(rng, B64URL, 35)}`,
  azureStorageKey: (rng: Rng) => base64(rng.bytes(64)),
  azureSasKey: (rng: Rng) => base64(rng.bytes(32)),
  azureClientSecret: (rng: Rng) =>
    `${rng.chars(ALNUM, 3)}${rng.digits(1)}Q~${mixed(rng, ALNUM + '_~-', 33)}${rng.chars(ALNUM, 1)}`,
  githubToken: (rng: Rng) =>
    rng.chance(0.75)
      ? `${rng.pick(['ghp', 'gho', 'ghu', 'ghs', 'ghr'])}_${mixed(rng, ALNUM, 36)}`
      : `github_pat_${mixed(rng, ALNUM, 22)}_${mixed(rng, ALNUM, 59)}`,
  gitlabToken: (rng: Rng) =>
    rng.pick([
      () => `glpat-${mixed(rng, B64URL, 20)}`,
      () => `glpat-${mixed(rng, B64URL, 27)}.01.${rng.chars(LOWER + DIGITS, 9)}`,
      () => `${rng.pick(['gldt', 'glrt', 'glptt', 'glcbt'])}-${mixed(rng, B64URL, 20)}`,
      () => `GR1348941${mixed(rng, B64URL, 20)}`,
    ])(),
  slackToken: (rng: Rng) =>
    rng.pick([
      () => `xoxb-${rng.digits(12)}-${rng.digits(13)}-${mixed(rng, ALNUM, 24)}`,
      () => `xoxp-${rng.digits(12)}-${rng.digits(12)}-${rng.digits(13)}-${rng.chars(HEXL, 32)}`,
      () => `xapp-1-A${rng.chars(UPPER + DIGITS, 10)}-${rng.digits(13)}-${rng.chars(HEXL, 64)}`,
    ])(),
  slackWebhook: (rng: Rng) =>
    `https://hooks.slack.com/services/T${rng.chars(UPPER + DIGITS, 10)}/B${rng.chars(UPPER + DIGITS, 10)}/${mixed(rng, ALNUM, 24)}`,
  stripeKey: (rng: Rng) =>
    `${rng.pick(['sk_live', 'sk_live', 'rk_live', 'sk_test'])}_${mixed(rng, ALNUM, rng.pick([24, 99]))}`,
  /** Random key material behind the real leading bytes (a DER SEQUENCE header, or OpenSSH's magic), in PEM lines. */
  pemBody: (rng: Rng, bytes: number, format: 'der' | 'openssh' = 'der') => {
    const body = rng.bytes(bytes);
    const rest = bytes - (bytes - 2 < 128 ? 2 : 4);
    const header =
      format === 'openssh'
        ? [...'openssh-key-v1\0'].map((c) => c.charCodeAt(0))
        : rest === bytes - 2
          ? [0x30, rest]
          : [0x30, 0x82, rest >> 8, rest & 0xff];
    body.set(header);
    return (base64(body).match(/.{1,64}/g) ?? []).join('\n');
  },
  jwt: (rng: Rng) => {
    const alg = rng.pick(['HS256', 'RS256', 'ES256']);
    const header = base64url(JSON.stringify({ alg, typ: 'JWT' }));
    const claims = {
      sub: uuid(rng),
      iat: 1_700_000_000 + rng.int(50_000_000),
      exp: 1_800_000_000 + rng.int(9_000_000),
      scope: 'read',
    };
    const signature = rng.chars(B64URL, alg === 'RS256' ? 342 : alg === 'ES256' ? 86 : 43);
    return `${header}.${base64url(JSON.stringify(claims))}.${signature}`;
  },
  password: (rng: Rng) => {
    for (;;) {
      const s = rng.chars(ALNUM + '!#%&*+-.?@^_~', rng.range(12, 24));
      if (/[a-z]/.test(s) && /[A-Z]/.test(s) && /\d/.test(s) && /^[A-Za-z0-9]/.test(s) && /[A-Za-z0-9]$/.test(s))
        return s;
    }
  },
  urlPassword: (rng: Rng) => mixed(rng, ALNUM + '-_~!', rng.range(10, 24)),
  opaqueToken: (rng: Rng) =>
    rng.pick([
      () => mixed(rng, ALNUM, rng.range(24, 48)),
      () => rng.chars(HEXL, rng.pick([32, 40, 64])),
      () => base64(rng.bytes(rng.pick([24, 32]))),
    ])(),
};

export function uuid(rng: Rng): string {
  const h = rng.chars(HEXL, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${'89ab'[rng.int(4)]}${h.slice(17, 20)}-${h.slice(20)}`;
}

function luhnComplete(partial: string): string {
  let sum = 0;
  for (let i = 0; i < partial.length; i++) {
    let d = Number(partial[partial.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return partial + String((10 - (sum % 10)) % 10);
}

export function card(rng: Rng): { digits: string; layout: number[] } {
  const brand = rng.pick(['visa', 'visa', 'mastercard', 'mastercard', 'amex', 'discover', 'jcb', 'diners', 'unionpay']);
  switch (brand) {
    case 'visa':
      return { digits: luhnComplete('4' + rng.digits(14)), layout: [4, 4, 4, 4] };
    case 'mastercard':
      return { digits: luhnComplete(mcPrefix(rng)), layout: [4, 4, 4, 4] };
    case 'amex':
      return { digits: luhnComplete(rng.pick(['34', '37']) + rng.digits(12)), layout: [4, 6, 5] };
    case 'discover':
      return { digits: luhnComplete('6011' + rng.digits(11)), layout: [4, 4, 4, 4] };
    case 'jcb':
      return { digits: luhnComplete(String(rng.range(3528, 3589)) + rng.digits(11)), layout: [4, 4, 4, 4] };
    case 'diners':
      return { digits: luhnComplete('36' + rng.digits(11)), layout: [4, 6, 4] };
    default:
      return { digits: luhnComplete('62' + rng.digits(13)), layout: [4, 4, 4, 4] };
  }
}

function mcPrefix(rng: Rng): string {
  const prefix = rng.chance(0.7) ? String(rng.range(51, 55)) : String(rng.range(2221, 2720));
  return prefix + rng.digits(15 - prefix.length);
}

/** A 16-digit number whose Luhn check fails (order numbers, ids). */
export function luhnInvalid(rng: Rng): string {
  const valid = luhnComplete('4' + rng.digits(14));
  const last = Number(valid[15]);
  return valid.slice(0, 15) + String((last + 1 + rng.int(8)) % 10);
}

export function ssn(rng: Rng): string {
  let area: number;
  do area = rng.range(1, 899);
  while (area === 666);
  const s = `${String(area).padStart(3, '0')}${String(rng.range(1, 99)).padStart(2, '0')}${String(rng.range(1, 9999)).padStart(4, '0')}`;
  return ['078051120', '219099999', '123456789', '457555462'].includes(s) ? ssn(rng) : s;
}

const NINO_FIRST = 'ABCEGHJKLMNOPRSTWXYZ';
const NINO_SECOND = 'ABCEGHJKLMNPRSTWXYZ';
export function nino(rng: Rng): string {
  for (;;) {
    const prefix = rng.chars(NINO_FIRST, 1) + rng.chars(NINO_SECOND, 1);
    if (!['BG', 'GB', 'KN', 'NK', 'NT', 'TN', 'ZZ'].includes(prefix))
      return `${prefix}${rng.digits(6)}${rng.chars('ABCD', 1)}`;
  }
}

function mod97(s: string): number {
  let rest = 0;
  for (const ch of s) {
    const c = ch.charCodeAt(0);
    rest = c >= 65 ? (rest * 100 + (c - 55)) % 97 : (rest * 10 + (c - 48)) % 97;
  }
  return rest;
}

/** A random IBAN with correct check digits for one of several countries' BBAN layouts. */
export function iban(rng: Rng, valid = true): string {
  const [cc, bban] = rng.pick<[string, () => string]>([
    ['DE', () => rng.digits(18)],
    ['GB', () => rng.chars(UPPER, 4) + rng.digits(14)],
    ['FR', () => rng.digits(10) + rng.chars(UPPER + DIGITS, 11) + rng.digits(2)],
    ['NL', () => rng.chars(UPPER, 4) + rng.digits(10)],
    ['ES', () => rng.digits(20)],
    ['IT', () => rng.chars(UPPER, 1) + rng.digits(10) + rng.chars(DIGITS, 12)],
    ['CH', () => rng.digits(17)],
    ['BE', () => rng.digits(12)],
    ['PL', () => rng.digits(24)],
  ]);
  const b = bban();
  const check = 98 - mod97(b + cc + '00');
  const wrong = (check + 1 + rng.int(50)) % 100;
  return cc + String(valid ? check : wrong === check ? (wrong + 1) % 100 : wrong).padStart(2, '0') + b;
}

export function aba(rng: Rng, valid = true): string {
  const prefix = rng.chance(0.7) ? String(rng.range(1, 12)).padStart(2, '0') : String(rng.range(21, 32));
  const body = prefix + rng.digits(6);
  const d = (k: number) => Number(body[k]);
  const partial = 3 * (d(0) + d(3) + d(6)) + 7 * (d(1) + d(4) + d(7)) + (d(2) + d(5));
  const check = (10 - (partial % 10)) % 10;
  return body + String(valid ? check : (check + 1 + rng.int(8)) % 10);
}

/** A North American number that is not in the 555-01xx fiction range. */
export function nanp(rng: Rng): { area: string; exchange: string; line: string } {
  const area = `${rng.range(2, 9)}${rng.digits(2)}`;
  let exchange = `${rng.range(2, 9)}${rng.digits(2)}`;
  if (exchange === '555') exchange = '556';
  return { area, exchange, line: rng.digits(4) };
}

export function ipv4Public(rng: Rng): string {
  let a: number;
  do a = rng.range(1, 223);
  while ([10, 100, 127, 169, 172, 192, 198, 203].includes(a));
  return `${a}.${rng.int(256)}.${rng.int(256)}.${rng.range(1, 254)}`;
}

export function ipv4Private(rng: Rng): string {
  return rng.pick([
    () => `10.${rng.int(256)}.${rng.int(256)}.${rng.range(1, 254)}`,
    () => `192.168.${rng.int(256)}.${rng.range(1, 254)}`,
    () => `172.${rng.range(16, 31)}.${rng.int(256)}.${rng.range(1, 254)}`,
  ])();
}

export function ipv6(rng: Rng): string {
  const group = () => rng.int(0x10000).toString(16);
  const first = (0x2400 + rng.int(0x600)).toString(16);
  return rng.pick([
    () => [first, ...Array.from({ length: 7 }, group)].join(':'),
    () => `${first}:${group()}:${group()}::${group()}`,
    () => `${first}:${group()}::${group()}:${group()}`,
    () => `fe80::${group()}:${group()}:${group()}:${group()}`,
  ])();
}
