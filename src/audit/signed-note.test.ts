import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  NoteError,
  generateNoteKey,
  isValidKeyName,
  noteSignerOfPrivateKey,
  openNote,
  parseSignerKey,
  parseVerifierKey,
  signNote,
  signerKeyOfPrivateKey,
  verifierKeyOfPublicKey,
  verifyNote,
} from './signed-note.js';

// golang.org/x/mod/sumdb/note note_test.go (TestNewVerifier, TestNewSigner, TestSign, TestOpen).
const PETER_VKEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const PETER_SKEY = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
const ENOCH_VKEY = 'EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop';
const TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const PETER_SIG =
  '— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n';
const ENOCH_SIG =
  '— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n';

describe('the sumdb/note test vectors', () => {
  it('verifies PeterNeumann’s note and reproduces its signature byte for byte', () => {
    expect(verifyNote(TEXT + '\n' + PETER_SIG, [PETER_VKEY])).toBe(TEXT);
    // Ed25519 is deterministic, so signing with the published signer key gives the published note.
    expect(signNote(TEXT, [parseSignerKey(PETER_SKEY)])).toBe(TEXT + '\n' + PETER_SIG);
    expect(parseVerifierKey(PETER_VKEY).keyId).toBe(0xc74f20a3);
  });

  it('ignores signatures from unknown keys and verifies all known ones', () => {
    const note = TEXT + '\n' + PETER_SIG + ENOCH_SIG;
    const one = openNote(note, [parseVerifierKey(PETER_VKEY)]);
    expect(one.ok && one.verified.map((s) => s.name)).toEqual(['PeterNeumann']);
    expect(one.ok && one.unverified.map((s) => s.keyId)).toEqual([0xaf0cfe78]);
    const both = openNote(note, [PETER_VKEY, ENOCH_VKEY].map(parseVerifierKey));
    expect(both.ok && both.verified.length).toBe(2);
    expect(openNote(note, [])).toEqual({ ok: false, reason: 'note has no signature from a trusted key' });
  });

  it('rejects a note whose known signature fails, and malformed notes', () => {
    const peter = [parseVerifierKey(PETER_VKEY)];
    const broken = TEXT + '\n' + PETER_SIG.slice(0, 60) + 'ABCD' + PETER_SIG.slice(60);
    expect(openNote(broken, peter)).toEqual({ ok: false, reason: 'invalid signature for key PeterNeumann+c74f20a3' });
    const bad = [
      TEXT,
      TEXT + '\n',
      TEXT + '\n' + PETER_SIG.slice(0, -1),
      '\x01' + TEXT + '\n' + PETER_SIG,
      TEXT +
        '\n' +
        '— Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=',
      TEXT + '\n' + PETER_SIG + 'Unexpected line.\n',
      TEXT + '\n' + PETER_SIG.repeat(101),
    ];
    for (const note of bad) expect(openNote(note, peter).ok, JSON.stringify(note)).toBe(false);
    expect(openNote(Buffer.from([0xff, ...Buffer.from(TEXT + '\n' + PETER_SIG)]), peter).ok).toBe(false);
    expect(verifyNote(TEXT.replace('answer', 'Answer') + '\n' + PETER_SIG, [PETER_VKEY])).toBeNull();
  });

  it('rejects every mangling of the verifier and signer keys', () => {
    for (const key of [PETER_VKEY, PETER_SKEY]) {
      const parse = key === PETER_VKEY ? parseVerifierKey : parseSignerKey;
      for (let i = 0; i <= key.length; i++) {
        for (let j = i + 1; j <= key.length; j++) {
          if (i !== 0 || j !== key.length) expect(() => parse(key.slice(i, j))).toThrow(NoteError);
        }
      }
      for (let i = 0; i < key.length; i++) {
        const mangled = key.slice(0, i) + String.fromCharCode(key.charCodeAt(i) + 1) + key.slice(i + 1);
        expect(() => parse(mangled), mangled).toThrow(NoteError);
      }
    }
    // Wrong key length and unknown algorithm, each with a key ID adjusted to match (from TestNewVerifier).
    expect(() =>
      parseVerifierKey('PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY=='),
    ).toThrow(NoteError);
    expect(() => parseVerifierKey('PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW')).toThrow(
      /unknown signature type/,
    );
  });
});

describe('our own keys', () => {
  for (const algorithm of ['ed25519', 'ecdsa-p256'] as const) {
    it(`round-trips ${algorithm}: generate, sign, verify, tamper`, () => {
      const { signerKey, verifierKey } = generateNoteKey('steward.example/audit', algorithm);
      expect(verifierKey).toMatch(/^steward\.example\/audit\+[0-9a-f]{8}\+/);
      expect(signerKey.startsWith('PRIVATE+KEY+steward.example/audit+' + verifierKey.split('+')[1] + '+')).toBe(true);
      const note = signNote('origin\n1\nAAAA\n', [parseSignerKey(signerKey)]);
      expect(verifyNote(note, [verifierKey])).toBe('origin\n1\nAAAA\n');
      expect(verifyNote(note.replace('1\n', '2\n'), [verifierKey])).toBeNull();
      const sigLine = note.split('\n')[4]!;
      const b64 = sigLine.split(' ')[2]!;
      const raw = Buffer.from(b64, 'base64');
      raw[raw.length - 1]! ^= 1;
      expect(verifyNote(note.replace(b64, raw.toString('base64')), [verifierKey])).toBeNull();
      // Someone else's key with our name and a different ID is simply unknown.
      expect(verifyNote(note, [generateNoteKey('steward.example/audit', algorithm).verifierKey])).toBeNull();
    });
  }

  it('derives the ECDSA key ID from the SPKI DER alone, and Ed25519 from name and key', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const a = verifierKeyOfPublicKey('a.example', ec.publicKey).split('+')[1];
    const b = verifierKeyOfPublicKey('b.example', ec.publicKey).split('+')[1];
    expect(a).toBe(b); // transparency-dev/witness keyHashECDSA: SHA-256(der)[:4]
    const ed = generateKeyPairSync('ed25519');
    expect(verifierKeyOfPublicKey('a.example', ed.publicKey).split('+')[1]).not.toBe(
      verifierKeyOfPublicKey('b.example', ed.publicKey).split('+')[1],
    );
  });

  it('signs with several keys (KeyObjects from PEM too) and accepts at least 16 signatures', () => {
    const keys = Array.from({ length: 16 }, (_, i) =>
      generateNoteKey(`k${i}.example`, i % 2 ? 'ecdsa-p256' : 'ed25519'),
    );
    const pem = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' });
    const fromPem = noteSignerOfPrivateKey('pem.example', createPrivateKey(pem));
    const note = signNote('hello\n', [...keys.map((k) => parseSignerKey(k.signerKey)), fromPem]);
    const opened = openNote(
      note,
      keys.map((k) => parseVerifierKey(k.verifierKey)),
    );
    expect(opened.ok && opened.verified.length).toBe(16);
    expect(opened.ok && opened.unverified.map((s) => s.name)).toEqual(['pem.example']);
    const pemSignerKey = signerKeyOfPrivateKey('pem.example', createPrivateKey(pem));
    expect(parseSignerKey(pemSignerKey).keyId).toBe(fromPem.keyId);
  });

  it('refuses invalid names and texts', () => {
    expect(isValidKeyName('steward.example/audit')).toBe(true);
    for (const name of ['', 'a b', 'a+b', 'a\u00a0b', 'a\u2003b', 'a\tb']) expect(isValidKeyName(name)).toBe(false);
    const signer = parseSignerKey(PETER_SKEY);
    expect(() => signNote('no newline', [signer])).toThrow(/end with a newline/);
    expect(() => signNote('tab\there\n', [signer])).toThrow(/control characters/);
    expect(() => generateNoteKey('bad name')).toThrow(/invalid key name/);
  });
});
