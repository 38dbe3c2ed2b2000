/**
 * Is an identifier the name of a credential? `AWS_SECRET_ACCESS_KEY`, `clientSecret`, `x-api-key`, `db.password`
 * are; `secret_name`, `max_tokens`, `public_key`, `token_url`, `primary_key` are not. The name is split into
 * lower-case words (separators and camelCase), then matched against credential words and vetoing words.
 */

export type CredentialFamily = 'password' | 'secret' | 'token' | 'key' | 'credential' | 'auth';

/** Words that, before `key`, make it a credential (`api key`, `signing key`), and vendor names. */
const KEY_QUALIFIERS = new Set([
  'api', 'access', 'secret', 'private', 'auth', 'signing', 'encryption', 'master', 'app', 'client', 'account',
  'storage', 'service', 'admin', 'webhook', 'hmac', 'session', 'jwt', 'subscription', 'license', 'consumer',
  'openai', 'anthropic', 'stripe', 'aws', 'gcp', 'azure', 'google', 'sendgrid', 'mailgun', 'twilio', 'shared',
]); // prettier-ignore

/** Words that make the value something other than the credential itself (its name, length, URL, id …). */
const VETO = new Set([
  'public', 'publishable', 'pub', 'id', 'ids', 'type', 'types', 'name', 'names', 'url', 'uri', 'urls', 'endpoint',
  'path', 'file', 'filename', 'dir', 'count', 'length', 'len', 'size', 'max', 'min', 'limit', 'limits', 'expires',
  'expiry', 'expiration', 'ttl', 'header', 'field', 'prefix', 'suffix', 'hint', 'policy', 'format', 'version',
  'hash', 'hashed', 'label', 'env', 'var', 'ref', 'regex', 'pattern', 'page', 'cursor', 'continuation', 'next',
  'sync', 'request', 'nonce', 'idempotency', 'cache', 'primary', 'foreign', 'partition', 'sort', 'usage', 'budget',
  'estimate', 'enabled', 'required', 'rotation', 'issuer', 'audience', 'scope', 'scopes', 'kind', 'mode', 'arn',
  'location', 'reset', 'strength', 'confirm', 'confirmation', 'placeholder', 'input', 'prompt', 'rules',
  'manager', 'vault', 'store', 'provider', 'source', 'lookup', 'template', 'example',
]); // prettier-ignore

/** Splits `AWS_SECRET_ACCESS_KEY`, `clientSecret`, `x-api-key`, `APIKey` into lower-case words. */
export function nameWords(name: string): string[] {
  const words: string[] = [];
  let word = '';
  for (let k = 0; k < name.length; k++) {
    const c = name.charCodeAt(k);
    const upper = c >= 65 && c <= 90;
    const lower = (c >= 97 && c <= 122) || (c >= 48 && c <= 57);
    if (!upper && !lower) {
      if (word) words.push(word);
      word = '';
      continue;
    }
    if (upper && word) {
      const prev = name.charCodeAt(k - 1);
      const next = name.charCodeAt(k + 1);
      const prevUpper = prev >= 65 && prev <= 90;
      // aB → a|B (camelCase); ABc → A|Bc (an acronym followed by a word: APIKey → API|Key)
      if (!prevUpper || (next >= 97 && next <= 122)) {
        words.push(word);
        word = '';
      }
    }
    word += upper ? String.fromCharCode(c + 32) : name[k];
  }
  if (word) words.push(word);
  return words;
}

/** The credential family a name belongs to, or undefined when it does not name a credential. */
export function credentialFamily(words: readonly string[]): CredentialFamily | undefined {
  let family: CredentialFamily | undefined;
  for (let k = 0; k < words.length; k++) {
    const w = words[k] as string;
    if (VETO.has(w)) return undefined;
    if (family) continue;
    if (w === 'pass' || w.endsWith('password') || w.endsWith('passwd') || w.endsWith('pwd') || w === 'passphrase') {
      family = 'password';
    } else if (w.endsWith('secret') || w === 'secrets') {
      family = 'secret';
    } else if (w.endsWith('token')) {
      family = 'token';
    } else if (w === 'credential' || w === 'credentials' || w === 'creds') {
      family = 'credential';
    } else if (w === 'authorization' || w === 'auth') {
      family = 'auth';
    } else if (w === 'key' && k > 0 && KEY_QUALIFIERS.has(words[k - 1] as string)) {
      family = 'key';
    } else if (w.endsWith('key') && KEY_QUALIFIERS.has(w.slice(0, -3))) {
      family = 'key';
    } else if (w.endsWith('pass') && w.length <= 8) {
      family = 'password'; // dbpass, smtppass
    }
  }
  return family;
}

export interface NameClass {
  readonly words: readonly string[];
  readonly family: CredentialFamily | undefined;
}

/**
 * Names recur (JSON keys, environment variables), and splitting one costs a string per character: results are
 * kept by name, a bounded cache of a pure function (cleared when full, so hostile input cannot grow it).
 */
const classified = new Map<string, NameClass>();
const MAX_CLASSIFIED = 4096;

/** `nameWords` and `credentialFamily` of a name, cached. */
export function classifyName(name: string): NameClass {
  let known = classified.get(name);
  if (known === undefined) {
    const words = nameWords(name);
    known = { words, family: credentialFamily(words) };
    if (classified.size >= MAX_CLASSIFIED) classified.clear();
    classified.set(name, known);
  }
  return known;
}
