/**
 * E-mail addresses (RFC 5321 §4.1.2 dot-atom local parts; domains of letter-digit-hyphen labels with an
 * alphabetic TLD), anchored on `@`. The same anchor first offers the `@` to the URL-credential detector:
 * `postgres://user:pw@host` is a password, not an address. Not addresses: `git@github.com:org/repo`
 * (scp-style remotes), `logo@2x.png` (file names), `pkg@1.2.3` (versions), `@scope/pkg`.
 */
import type { AnchorRule } from './anchors.js';
import { ALNUM, DASH, DOT, PERCENT, PLUS, UNDERSCORE, isClass, runEnd, runStart } from './char-classes.js';
import { isExampleDomain } from './examples.js';
import { addFinding } from './scan-context.js';
import { urlCredentialAt } from './url-credentials.js';

const LOCAL = ALNUM | DOT | UNDERSCORE | PERCENT | PLUS | DASH;
const DOMAIN = ALNUM | DASH | DOT;

/** File extensions that follow `name@2x.` and similar; never top-level domains people write addresses under. */
const FILE_EXTENSIONS = new Set([
  'png', 'jpg', 'jpeg', 'gif', 'svg', 'webp', 'ico', 'bmp', 'tif', 'tiff', 'js', 'mjs', 'cjs', 'ts', 'tsx', 'jsx',
  'css', 'scss', 'json', 'md', 'txt', 'html', 'htm', 'xml', 'yml', 'yaml', 'py', 'rb', 'go', 'rs', 'java', 'kt',
  'lock', 'log', 'pdf', 'zip', 'gz', 'tgz', 'wasm', 'map', 'woff', 'woff2', 'ttf', 'otf', 'mp4', 'mp3', 'wav',
]); // prettier-ignore

const TLD = /^(?:[a-z]{2,24}|xn--[a-z0-9-]{1,59})$/i;
const LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

export const emailRule: AnchorRule = {
  anchor: '@',
  types: ['email', 'database_url_password'],
  at(ctx, i) {
    if (urlCredentialAt(ctx, i)) return i + 1;
    const { text } = ctx;
    let ls = runStart(text, i, LOCAL, 64);
    while (ls < i && !isClass(text, ls, ALNUM | UNDERSCORE)) ls++; // a local part starts with an atom character
    if (ls === i || text.charCodeAt(i - 1) === 46 || text.slice(ls, i).includes('..')) return i + 1;
    const before = text.charCodeAt(ls - 1);
    if (before === 47 || before === 92 || (before === 58 && !text.startsWith('mailto', ls - 7))) return i + 1;
    let de = runEnd(text, i + 1, DOMAIN, 253);
    while (de > i + 1 && !isClass(text, de - 1, ALNUM)) de--;
    const domain = text.slice(i + 1, de);
    const labels = domain.split('.');
    const tld = labels[labels.length - 1] ?? '';
    if (labels.length < 2 || !TLD.test(tld) || FILE_EXTENSIONS.has(tld.toLowerCase())) return i + 1;
    if (!labels.every((l) => LABEL.test(l))) return i + 1;
    if (text.charCodeAt(de) === 58 && isClass(text, de + 1, ALNUM | DOT)) return de; // git@host:org/repo
    if (isClass(text, de, UNDERSCORE | PERCENT | PLUS)) return i + 1;
    if (/(?:^|\.)gserviceaccount\.com$/i.test(domain)) return de; // a Google Cloud service identity, not a person
    addFinding(ctx, 'email', ls, de, 0.9, 'none', isExampleDomain(domain));
    return de;
  },
};
