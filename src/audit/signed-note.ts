import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign as cryptoSign,
  verify as cryptoVerify,
  type KeyObject,
} from 'node:crypto';

/**
 * C2SP signed notes (c2sp.org/signed-note; the format of golang.org/x/mod/sumdb/note), the envelope of every
 * checkpoint the vault signs (docs/audit-bundle.md "Signed note").
 *
 *     <text ending in "\n">
 *     <blank line>
 *     — <key name> <base64(4-byte big-endian key ID || signature)>\n     (one line per signature, U+2014 em dash)
 *
 * Two signature types, as the spec assigns them:
 * - 0x01 Ed25519 (RFC 8032) over the note text; key ID = SHA-256(name || 0x0A || 0x01 || 32-byte public key)[:4].
 * - 0x02 ECDSA "as implemented by github.com/transparency-dev/witness": an ASN.1 DER signature over SHA-256 of the
 *   note text (Go ecdsa.VerifyASN1 of sha256.Sum256(msg)); key ID = SHA-256(SPKI DER of the public key)[:4] — the
 *   name does not enter it (spec: "the truncated SHA-256 hash of the DER encoded public key in SPKI format").
 *   P-256 is what we generate (approved in every validated OpenSSL FIPS provider); P-384/P-521 verify too.
 *
 * Key strings (sumdb/note): verifier `<name>+<8 hex key ID>+<base64(type || public key)>`, where the public key is
 * the raw 32 bytes for Ed25519 and the SPKI DER for ECDSA (transparency-dev/witness NewECDSAVerifier); signer
 * `PRIVATE+KEY+<name>+<8 hex key ID>+<base64(type || private key)>`, the private key being the 32-byte RFC 8032
 * seed for Ed25519 (sumdb/note GenerateKey) and, our choice for ECDSA, the PKCS#8 DER — exactly the body of the
 * key's PKCS#8 PEM, so `openssl pkey` reads it once wrapped in BEGIN/END PRIVATE KEY lines.
 */

export const SIG_ED25519 = 0x01;
export const SIG_ECDSA = 0x02;
export type NoteAlgorithm = 'ed25519' | 'ecdsa-p256';

/** Verifiers MUST accept at least 16 signatures (signed-note "Format"); sumdb/note stops at 100. */
export const MAX_SIGNATURES = 100;

export class NoteError extends Error {
  override readonly name = 'NoteError';
}

export interface NoteVerifier {
  readonly name: string;
  readonly keyId: number;
  readonly type: number;
  readonly key: string;
  verify(text: Uint8Array, signature: Uint8Array): boolean;
}

export interface NoteSigner {
  readonly name: string;
  readonly keyId: number;
  readonly type: number;
  sign(text: Uint8Array): Buffer;
}

// RFC 8410 §7/§4: the fixed DER wrappers around a raw Ed25519 seed (PKCS#8) and public key (SPKI).
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const EC_CURVES = new Set(['prime256v1', 'secp384r1', 'secp521r1']);

/** Key names MUST be non-empty and contain no Unicode spaces (Go unicode.IsSpace) or "+" (signed-note "Format"). */
export function isValidKeyName(name: string): boolean {
  return name !== '' && !/[\p{Z}\t\n\v\f\r\u0085+]/u.test(name) && isWellFormed(name);
}

/** The 4-byte key ID as a uint32 (signed-note "Signatures"). */
export function noteKeyId(name: string, type: number, publicKey: Uint8Array): number {
  const h = createHash('sha256');
  if (type === SIG_ECDSA) h.update(publicKey);
  else h.update(name, 'utf8').update(Buffer.of(0x0a, type)).update(publicKey);
  return h.digest().readUInt32BE(0);
}

const hex8 = (id: number): string => id.toString(16).padStart(8, '0');

/** Verifier key string of a public KeyObject (Ed25519, or ECDSA on P-256/384/521). */
export function verifierKeyOfPublicKey(name: string, publicKey: KeyObject): string {
  checkName(name);
  const { type, bytes } = publicKeyBytes(publicKey);
  return `${name}+${hex8(noteKeyId(name, type, bytes))}+${Buffer.concat([Buffer.of(type), bytes]).toString('base64')}`;
}

/** Signer key string of a private KeyObject. */
export function signerKeyOfPrivateKey(name: string, privateKey: KeyObject): string {
  checkName(name);
  const { type, bytes } = publicKeyBytes(createPublicKey(privateKey));
  const priv =
    type === SIG_ED25519
      ? privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(ED25519_PKCS8_PREFIX.length)
      : privateKey.export({ format: 'der', type: 'pkcs8' });
  const encoded = Buffer.concat([Buffer.of(type), priv]).toString('base64');
  return `PRIVATE+KEY+${name}+${hex8(noteKeyId(name, type, bytes))}+${encoded}`;
}

/** A new key pair as key strings: Ed25519 by default, or ECDSA P-256. */
export function generateNoteKey(
  name: string,
  algorithm: NoteAlgorithm = 'ed25519',
): { signerKey: string; verifierKey: string } {
  const { privateKey, publicKey } =
    algorithm === 'ed25519' ? generateKeyPairSync('ed25519') : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { signerKey: signerKeyOfPrivateKey(name, privateKey), verifierKey: verifierKeyOfPublicKey(name, publicKey) };
}

/** Parses a verifier key string; throws NoteError naming what is wrong. */
export function parseVerifierKey(vkey: string): NoteVerifier {
  // Split at the first two "+" only, like sumdb/note's chop: the base64 key may itself contain "+".
  const [name, idHex, keyB64] = chop(vkey, 2);
  if (name === undefined || idHex === undefined || keyB64 === undefined) {
    throw new NoteError('verifier key must be <name>+<key ID>+<key>');
  }
  checkName(name);
  const keyId = parseKeyId(idHex);
  const raw = strictBase64(keyB64);
  if (!raw || raw.length < 2) throw new NoteError('verifier key: the key is not base64 of type || public key');
  const type = raw[0] as number;
  const bytes = raw.subarray(1);
  let publicKey: KeyObject;
  try {
    if (type === SIG_ED25519) {
      if (bytes.length !== 32) throw new NoteError('an Ed25519 public key is 32 bytes');
      publicKey = createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, bytes]), format: 'der', type: 'spki' });
    } else if (type === SIG_ECDSA) {
      publicKey = createPublicKey({ key: bytes, format: 'der', type: 'spki' });
      const curve = publicKey.asymmetricKeyDetails?.namedCurve;
      if (publicKey.asymmetricKeyType !== 'ec' || !curve || !EC_CURVES.has(curve)) {
        throw new NoteError('an ECDSA key must be on P-256, P-384 or P-521');
      }
    } else {
      throw new NoteError(`unknown signature type 0x${type.toString(16).padStart(2, '0')}`);
    }
  } catch (err) {
    throw err instanceof NoteError ? err : new NoteError(`verifier key: unreadable public key (${String(err)})`);
  }
  if (noteKeyId(name, type, bytes) !== keyId) throw new NoteError('verifier key: the key ID does not match the key');
  const verify =
    type === SIG_ED25519
      ? (text: Uint8Array, sig: Uint8Array) => sig.length === 64 && cryptoVerify(null, text, publicKey, sig)
      : (text: Uint8Array, sig: Uint8Array) => {
          try {
            return cryptoVerify('sha256', text, { key: publicKey, dsaEncoding: 'der' }, sig);
          } catch {
            return false; // not a DER signature at all
          }
        };
  return { name, keyId, type, key: vkey, verify };
}

/** Parses a signer key string; the key ID must match the public key derived from the private one. */
export function parseSignerKey(skey: string): NoteSigner {
  const [priv, key, name, idHex, keyB64] = chop(skey, 4);
  if (priv !== 'PRIVATE' || key !== 'KEY' || name === undefined || idHex === undefined || keyB64 === undefined) {
    throw new NoteError('signer key must be PRIVATE+KEY+<name>+<key ID>+<key>');
  }
  checkName(name);
  const keyId = parseKeyId(idHex);
  const raw = strictBase64(keyB64);
  if (!raw || raw.length < 2) throw new NoteError('signer key: the key is not base64 of type || private key');
  const type = raw[0] as number;
  const bytes = raw.subarray(1);
  let privateKey: KeyObject;
  try {
    if (type === SIG_ED25519 && bytes.length === 32) {
      privateKey = createPrivateKey({
        key: Buffer.concat([ED25519_PKCS8_PREFIX, bytes]),
        format: 'der',
        type: 'pkcs8',
      });
    } else if (type === SIG_ECDSA) {
      privateKey = createPrivateKey({ key: bytes, format: 'der', type: 'pkcs8' });
    } else {
      throw new NoteError(`signer key: unsupported type 0x${type.toString(16)} or key length ${bytes.length}`);
    }
  } catch (err) {
    throw err instanceof NoteError ? err : new NoteError(`signer key: unreadable private key (${String(err)})`);
  }
  const signer = noteSignerOfPrivateKey(name, privateKey);
  if (signer.keyId !== keyId) throw new NoteError('signer key: the key ID does not match the key');
  return signer;
}

/** A signer for a private KeyObject (e.g. read from a PKCS#8 PEM file). */
export function noteSignerOfPrivateKey(name: string, privateKey: KeyObject): NoteSigner {
  checkName(name);
  const { type, bytes } = publicKeyBytes(createPublicKey(privateKey));
  const keyId = noteKeyId(name, type, bytes);
  const sign =
    type === SIG_ED25519
      ? (text: Uint8Array) => cryptoSign(null, text, privateKey)
      : (text: Uint8Array) => cryptoSign('sha256', text, { key: privateKey, dsaEncoding: 'der' });
  return { name, keyId, type, sign };
}

/** Signs `text` (which must end in "\n") with each signer, in order; returns the note. */
export function signNote(text: string, signers: readonly NoteSigner[]): string {
  checkText(text);
  if (!text.endsWith('\n')) throw new NoteError('note text must end with a newline');
  if (signers.length === 0) throw new NoteError('a note needs at least one signature');
  const bytes = Buffer.from(text, 'utf8');
  let out = text + '\n';
  for (const s of signers) {
    checkName(s.name);
    const id = Buffer.alloc(4);
    id.writeUInt32BE(s.keyId >>> 0, 0);
    out += `\u2014 ${s.name} ${Buffer.concat([id, s.sign(bytes)]).toString('base64')}\n`;
  }
  return out;
}

export interface NoteSignature {
  name: string;
  keyId: number;
  /** The signature line's base64 (key ID and signature). */
  base64: string;
}

export type OpenedNote =
  { ok: true; text: string; verified: NoteSignature[]; unverified: NoteSignature[] } | { ok: false; reason: string };

/**
 * Parses a note and checks its signatures against known verifiers, as sumdb/note Open does: signatures from
 * unknown keys (name and key ID not both known) are ignored; a known key's signature that fails rejects the note;
 * at least one known signature must verify.
 */
export function openNote(note: string | Uint8Array, verifiers: readonly NoteVerifier[]): OpenedNote {
  const msg = typeof note === 'string' ? note : decodeUtf8(note);
  if (msg === null || !isWellFormed(msg)) return { ok: false, reason: 'malformed note: not valid UTF-8' };
  if (/[\u0000-\u0009\u000b-\u001f]/.test(msg)) return { ok: false, reason: 'malformed note: control character' };
  const split = msg.lastIndexOf('\n\n');
  if (split < 0) return { ok: false, reason: 'malformed note: no blank line before the signatures' };
  const text = msg.slice(0, split + 1);
  const block = msg.slice(split + 2);
  if (block === '' || !block.endsWith('\n')) return { ok: false, reason: 'malformed note: signature block' };
  const lines = block.slice(0, -1).split('\n');
  if (lines.length > MAX_SIGNATURES) return { ok: false, reason: `malformed note: over ${MAX_SIGNATURES} signatures` };

  const textBytes = Buffer.from(text, 'utf8');
  const verified: NoteSignature[] = [];
  const unverified: NoteSignature[] = [];
  const seen = new Set<string>();
  for (const line of lines) {
    if (!line.startsWith('\u2014 ')) return { ok: false, reason: 'malformed note: a line is not a signature' };
    const rest = line.slice(2);
    const space = rest.indexOf(' ');
    const name = space < 0 ? rest : rest.slice(0, space);
    const b64 = space < 0 ? '' : rest.slice(space + 1);
    const raw = strictBase64(b64);
    if (!isValidKeyName(name) || !raw || raw.length < 5) {
      return { ok: false, reason: 'malformed note: bad signature line' };
    }
    const sig: NoteSignature = { name, keyId: raw.readUInt32BE(0), base64: b64 };
    const known = verifiers.filter((v) => v.name === name && v.keyId === sig.keyId);
    const id = `${name}+${hex8(sig.keyId)}`;
    if (known.length === 0) {
      unverified.push(sig);
      continue;
    }
    if (known.length > 1) return { ok: false, reason: `ambiguous key ${id}` };
    if (seen.has(id)) continue; // a repeated signature by one key counts once (sumdb/note)
    seen.add(id);
    if (!(known[0] as NoteVerifier).verify(textBytes, raw.subarray(4))) {
      return { ok: false, reason: `invalid signature for key ${id}` };
    }
    verified.push(sig);
  }
  if (verified.length === 0) return { ok: false, reason: 'note has no signature from a trusted key' };
  return { ok: true, text, verified, unverified };
}

/** The note's text if a trusted verifier key (string) signed it, else null. Throws on a malformed key string. */
export function verifyNote(note: string | Uint8Array, verifierKeys: readonly string[]): string | null {
  const opened = openNote(note, verifierKeys.map(parseVerifierKey));
  return opened.ok ? opened.text : null;
}

function publicKeyBytes(publicKey: KeyObject): { type: number; bytes: Buffer } {
  if (publicKey.asymmetricKeyType === 'ed25519') {
    return { type: SIG_ED25519, bytes: publicKey.export({ format: 'der', type: 'spki' }).subarray(12) };
  }
  const curve = publicKey.asymmetricKeyDetails?.namedCurve;
  if (publicKey.asymmetricKeyType === 'ec' && curve && EC_CURVES.has(curve)) {
    return { type: SIG_ECDSA, bytes: publicKey.export({ format: 'der', type: 'spki' }) };
  }
  throw new NoteError(`unsupported key type ${publicKey.asymmetricKeyType ?? '?'} (Ed25519 or ECDSA P-256/384/521)`);
}

/** Splits at the first `cuts` "+" signs; the last part keeps any further ones. */
function chop(s: string, cuts: number): (string | undefined)[] {
  const out: string[] = [];
  let rest = s;
  for (let i = 0; i < cuts; i++) {
    const at = rest.indexOf('+');
    if (at < 0) return out;
    out.push(rest.slice(0, at));
    rest = rest.slice(at + 1);
  }
  out.push(rest);
  return out;
}

function checkName(name: string): void {
  if (!isValidKeyName(name)) throw new NoteError(`invalid key name ${JSON.stringify(name)} (no spaces or "+")`);
}

function checkText(text: string): void {
  if (!isWellFormed(text) || /[\u0000-\u0009\u000b-\u001f]/.test(text)) {
    throw new NoteError('note text must be UTF-8 without control characters other than newline');
  }
}

function parseKeyId(idHex: string): number {
  if (!/^[0-9a-fA-F]{8}$/.test(idHex)) throw new NoteError('key ID must be 8 hex digits');
  return Number.parseInt(idHex, 16);
}

/** RFC 4648 §4 base64 with padding, rejected unless canonical (Buffer.from alone skips bad characters). */
export function strictBase64(s: string): Buffer | null {
  if (s.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(s)) return null;
  const out = Buffer.from(s, 'base64');
  return out.toString('base64') === s ? out : null;
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
function decodeUtf8(bytes: Uint8Array): string | null {
  try {
    return utf8.decode(bytes);
  } catch {
    return null;
  }
}

// `String.prototype.isWellFormed` (ES2024, in Node ≥ 20) is not in the ES2023 lib this project compiles against.
const wellFormed = (String.prototype as unknown as { isWellFormed: (this: string) => boolean }).isWellFormed;
function isWellFormed(s: string): boolean {
  return wellFormed.call(s);
}
