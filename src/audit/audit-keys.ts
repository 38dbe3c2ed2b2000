import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { AppError } from '../errors/app-error.js';
import { noteSignerOfPrivateKey, signNote, verifierKeyOfPublicKey } from './signed-note.js';

/**
 * The checkpoint signing keys (issue 7: "key generation, rotation and a published public key").
 *
 * They live in a file (config `audit.keyFile`, default `<dataDir>/audit-signing.keys`, mode 0600), never in the
 * database: the vault's promise is that whoever can edit the database still cannot produce a checkpoint that
 * verifies, and a key stored beside the rows would break it. Replicas of one deployment share the file (a mounted
 * secret). Rotation appends a new key and retires the old one; retired keys stay in the file so their public keys
 * keep being published and old checkpoints keep verifying.
 */
export const keyAlgorithms = ['ed25519', 'ecdsa-p256'] as const;
export type KeyAlgorithm = (typeof keyAlgorithms)[number];

const storedKeySchema = z.strictObject({
  name: z.string().min(1),
  algorithm: z.enum(keyAlgorithms),
  privateKeyPem: z.string().min(1),
  createdAt: z.string(),
  retiredAt: z.string().nullable(),
});
const keyFileSchema = z.strictObject({ version: z.literal(1), keys: z.array(storedKeySchema).min(1) });
type StoredKey = z.infer<typeof storedKeySchema>;

export interface SigningKey {
  name: string;
  algorithm: KeyAlgorithm;
  privateKey: KeyObject;
  publicKey: KeyObject;
  createdAt: string;
  retiredAt: string | null;
}

export interface AuditKeyring {
  file: string;
  /** The key that signs new checkpoints (the newest one not retired). */
  active: SigningKey;
  /** Every key, active first, then retired ones newest first. */
  all: SigningKey[];
}

function generate(name: string, algorithm: KeyAlgorithm): StoredKey {
  const { privateKey } =
    algorithm === 'ed25519' ? generateKeyPairSync('ed25519') : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    name,
    algorithm,
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    createdAt: new Date().toISOString(),
    retiredAt: null,
  };
}

function toSigningKey(k: StoredKey): SigningKey {
  const privateKey = createPrivateKey(k.privateKeyPem);
  const type = privateKey.asymmetricKeyType;
  const curve = privateKey.asymmetricKeyDetails?.namedCurve;
  const ok = k.algorithm === 'ed25519' ? type === 'ed25519' : type === 'ec' && curve === 'prime256v1';
  if (!ok) throw new Error(`key "${k.name}" is not an ${k.algorithm} private key`);
  return {
    name: k.name,
    algorithm: k.algorithm,
    privateKey,
    publicKey: createPublicKey(privateKey),
    createdAt: k.createdAt,
    retiredAt: k.retiredAt,
  };
}

function writeKeyFile(file: string, keys: StoredKey[]): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, JSON.stringify({ version: 1, keys }, null, 2) + '\n', { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file); // atomic: a reader sees the old file or the new one, never half of one
}

function readKeyFile(file: string): StoredKey[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new AppError('audit_key_unavailable', `cannot read audit key file ${file}: ${(err as Error).message}`);
  }
  const res = keyFileSchema.safeParse(parsed);
  if (!res.success) {
    const issue = res.error.issues[0];
    throw new AppError(
      'audit_key_unavailable',
      `audit key file ${file} is malformed at ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? ''}`,
    );
  }
  return res.data.keys;
}

function keyring(file: string, stored: StoredKey[]): AuditKeyring {
  let keys: SigningKey[];
  try {
    keys = stored.map(toSigningKey);
  } catch (err) {
    throw new AppError('audit_key_unavailable', `audit key file ${file}: ${(err as Error).message}`);
  }
  const live = keys.filter((k) => k.retiredAt === null);
  const active = live[live.length - 1];
  if (!active) throw new AppError('audit_key_unavailable', `audit key file ${file} holds no key that is not retired`);
  const retired = keys.filter((k) => k !== active).reverse();
  return { file, active, all: [active, ...retired] };
}

/** Opens the key file, creating it with one new key of `algorithm` named `name` on first use. */
export function openKeyring(file: string, name: string, algorithm: KeyAlgorithm): AuditKeyring {
  if (!existsSync(file)) {
    try {
      writeKeyFile(file, [generate(name, algorithm)]);
    } catch (err) {
      throw new AppError('audit_key_unavailable', `cannot create audit key file ${file}: ${(err as Error).message}`);
    }
  }
  return keyring(file, readKeyFile(file));
}

/** Rotation: a new active key (same name: the checkpoint origin), the previous ones retired but still published. */
export function rotateKey(file: string, algorithm: KeyAlgorithm): AuditKeyring {
  const stored = readKeyFile(file);
  const now = new Date().toISOString();
  const name = (stored[stored.length - 1] as StoredKey).name;
  for (const k of stored) k.retiredAt ??= now;
  stored.push(generate(name, algorithm));
  writeKeyFile(file, stored);
  return keyring(file, stored);
}

/** The key's C2SP verifier key string (`<name>+<key id>+<base64(type ‖ public key)>`), as published. */
export function verifierKeyOf(key: SigningKey): string {
  return verifierKeyOfPublicKey(key.name, key.publicKey);
}

/** Signs note text with the given keys (signed-note.ts does the encoding). */
export function signNoteWith(text: string, keys: readonly SigningKey[]): string {
  return signNote(
    text,
    keys.map((k) => noteSignerOfPrivateKey(k.name, k.privateKey)),
  );
}
