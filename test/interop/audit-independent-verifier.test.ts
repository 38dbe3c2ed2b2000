import { createHash, createPublicKey, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../src/contracts/audit.js';
// Arrange only: the real code produces the bundles; everything that verifies below is written from
// docs/audit-bundle.md alone and shares no code with src/audit.
import { bundleBoundaryNodes, writeBundleLines } from '../../src/audit/bundle.js';
import { canonicalJson } from '../../src/audit/canonical-json.js';
import { formatCheckpoint } from '../../src/audit/checkpoint.js';
import { Frontier, hashLeaf, nodeRange, rootOf } from '../../src/audit/merkle.js';
import { generateNoteKey, parseSignerKey, signNote } from '../../src/audit/signed-note.js';
import { LEAF_INPUTS_HEX, ROOTS_HEX } from '../support/rfc6962-vectors.js';

// ───────────── The independent verifier (docs/audit-bundle.md §1–§5) ─────────────

const sha256 = (...parts: (Buffer | string)[]): Buffer => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};
const leafHashOf = (bytes: Buffer): Buffer => sha256(Buffer.of(0), bytes);
const nodeHash = (l: Buffer, r: Buffer): Buffer => sha256(Buffer.of(1), l, r);

/** §1: RFC 8785 — sorted names (UTF-16 code units), no whitespace, JSON.stringify for strings and numbers. */
function jcs(v: unknown): string {
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error('not I-JSON');
    return JSON.stringify(v);
  }
  if (Array.isArray(v)) return `[${v.map(jcs).join(',')}]`;
  const o = v as Record<string, unknown>;
  const names = Object.keys(o).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${names.map((n) => `${JSON.stringify(n)}:${jcs(o[n])}`).join(',')}}`;
}

/** §2: the compact range of [start, end). */
function compactRange(start: number, end: number): { level: number }[] {
  const out: { level: number }[] = [];
  for (let a = start; a < end;) {
    let k = 0;
    while (a % 2 ** (k + 1) === 0 && a + 2 ** (k + 1) <= end) k++;
    out.push({ level: k });
    a += 2 ** k;
  }
  return out;
}

/** §2: folds complete subtrees covering [0, N) into the root. */
function fold(subtrees: { level: number; hash: Buffer }[]): Buffer {
  const stack: { level: number; hash: Buffer }[] = [];
  for (const s of subtrees) {
    stack.push(s);
    while (stack.length > 1 && stack[stack.length - 1]!.level === stack[stack.length - 2]!.level) {
      const upper = stack.pop()!;
      const lower = stack.pop()!;
      stack.push({ level: lower.level + 1, hash: nodeHash(lower.hash, upper.hash) });
    }
  }
  if (stack.length === 0) return sha256('');
  let r = stack[stack.length - 1]!.hash;
  for (let i = stack.length - 2; i >= 0; i--) r = nodeHash(stack[i]!.hash, r);
  return r;
}

/** §3: a verifier key string. */
function readVerifierKey(vkey: string): { name: string; id: number; key: KeyObject; type: number } {
  const p1 = vkey.indexOf('+');
  const p2 = vkey.indexOf('+', p1 + 1);
  const [name, idHex, raw] = [vkey.slice(0, p1), vkey.slice(p1 + 1, p2), Buffer.from(vkey.slice(p2 + 1), 'base64')];
  const type = raw[0]!;
  const pub = raw.subarray(1);
  const key =
    type === 1
      ? createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: pub.toString('base64url') }, format: 'jwk' })
      : createPublicKey({ key: pub, format: 'der', type: 'spki' });
  const id = (type === 1 ? sha256(name, Buffer.of(0x0a, 1), pub) : sha256(pub)).readUInt32BE(0);
  if (id !== Number.parseInt(idHex, 16)) throw new Error('key ID does not match the key');
  return { name, id, key, type };
}

/** §3: the note's text when a trusted key signed it, else null. */
function openNote(note: string, trusted: string[]): string | null {
  const keys = trusted.map(readVerifierKey);
  const split = note.lastIndexOf('\n\n');
  if (split < 0 || !note.endsWith('\n')) return null;
  const text = Buffer.from(note.slice(0, split + 1), 'utf8');
  let good = 0;
  for (const line of note.slice(split + 2, -1).split('\n')) {
    const m = /^\u2014 (\S+) (\S+)$/.exec(line);
    if (!m) return null;
    const sig = Buffer.from(m[2]!, 'base64');
    const key = keys.find((k) => k.name === m[1] && k.id === sig.readUInt32BE(0));
    if (!key) continue;
    const body = sig.subarray(4);
    const ok = key.type === 1 ? cryptoVerify(null, text, key.key, body) : cryptoVerify('sha256', text, key.key, body);
    if (!ok) return null;
    good++;
  }
  return good > 0 ? text.toString('utf8') : null;
}

type Verdict = { ok: true; root: string } | { ok: false; firstBad: number | null; why: string };

/** §5 (first bad index only where an entry fails on its own; the descent of §6 is left to Steward's verifier). */
function verify(lines: string[], trusted: string[]): Verdict {
  const h = JSON.parse(lines[0]!);
  if (h.format !== 'steward-audit-bundle/v1') return { ok: false, firstBad: null, why: 'format' };
  const text = openNote(h.checkpoint, trusted);
  if (text === null) return { ok: false, firstBad: null, why: 'signature' };
  const [origin, size, root64] = text.split('\n');
  if (origin !== h.origin || Number(size) !== h.size) return { ok: false, firstBad: null, why: 'checkpoint' };
  const left = compactRange(0, h.from);
  const right = compactRange(h.to, h.size);
  if (left.length !== h.left.length || right.length !== h.right.length) {
    return { ok: false, firstBad: null, why: 'boundaries' };
  }
  const subtrees = left.map((s, i) => ({ level: s.level, hash: Buffer.from(h.left[i], 'hex') }));
  let expected = h.from;
  for (const line of lines.slice(1).filter((l) => l !== '')) {
    const e = JSON.parse(line);
    if (e.index !== expected) return { ok: false, firstBad: Math.min(e.index, expected), why: 'index' };
    const listed = Buffer.from(e.leafHash, 'hex');
    if (e.entry !== null && !leafHashOf(Buffer.from(jcs(e.entry), 'utf8')).equals(listed)) {
      return { ok: false, firstBad: e.index, why: 'leaf hash' };
    }
    subtrees.push({ level: 0, hash: listed });
    expected++;
  }
  if (expected !== h.to) return { ok: false, firstBad: expected, why: 'missing' };
  right.forEach((s, i) => subtrees.push({ level: s.level, hash: Buffer.from(h.right[i], 'hex') }));
  const computed = fold(subtrees);
  if (!computed.equals(Buffer.from(root64!, 'base64'))) return { ok: false, firstBad: null, why: 'root' };
  return { ok: true, root: computed.toString('hex') };
}

// ───────────── Tests ─────────────

const ORIGIN = 'steward.example/audit';

function arrange(n: number, algorithm: 'ed25519' | 'ecdsa-p256', from: number, to: number) {
  const key = generateNoteKey(ORIGIN, algorithm);
  const entries: AuditEntry[] = Array.from({ length: n }, (_, i) => ({
    v: 1,
    time: 1_767_225_600_000 + i * 1000,
    actor: { kind: 'token', id: `tok_${i % 4}`, name: 'ops' },
    action: i % 5 === 2 ? 'activity.seal' : 'governance.object.update',
    subject: { kind: 'object', id: `o${i}` },
    details: i % 5 === 2 ? { count: 3, ids: [[i, i + 2]], digest: 'cd'.repeat(32) } : { n: i / 7, text: 'ß\u0001€😀' },
  }));
  const leaves = entries.map((e) => hashLeaf(canonicalJson(e)));
  const frontier = new Frontier();
  for (const l of leaves) frontier.push(l);
  const checkpoint = signNote(formatCheckpoint({ origin: ORIGIN, size: n, root: frontier.root() }), [
    parseSignerKey(key.signerKey),
  ]);
  const nodes = bundleBoundaryNodes(from, to, n);
  const hashOf = (r: (typeof nodes.left)[number]) => rootOf(leaves.slice(...nodeRange(r)));
  const rows = entries.map((entry, index) => ({
    index,
    leafHash: leaves[index]!,
    entry: index === from + 1 ? null : entry,
  }));
  const lines = [
    ...writeBundleLines(
      { origin: ORIGIN, size: n, from, to, checkpoint, left: nodes.left.map(hashOf), right: nodes.right.map(hashOf) },
      rows.slice(from, to),
    ),
  ];
  return { lines, key, root: frontier.root().toString('hex') };
}

describe('an independent verifier written from docs/audit-bundle.md', () => {
  for (const algorithm of ['ed25519', 'ecdsa-p256'] as const) {
    it(`verifies bundles Steward writes (${algorithm}, whole log and ranges)`, () => {
      for (const [n, from, to] of [
        [23, 0, 23],
        [23, 5, 17],
        [64, 31, 64],
        [1, 0, 1],
      ] as const) {
        const { lines, key, root } = arrange(n, algorithm, from, to);
        expect(verify(lines, [key.verifierKey]), `${n} [${from}, ${to})`).toEqual({ ok: true, root });
      }
    });
  }

  it('rejects tampered bundles', () => {
    const { lines, key } = arrange(23, 'ed25519', 5, 17);
    const changed = [...lines];
    changed[1 + 4] = changed[1 + 4]!.replace('"tok_', '"tak_');
    expect(verify(changed, [key.verifierKey])).toEqual({ ok: false, firstBad: 9, why: 'leaf hash' });
    expect(verify([...lines.slice(0, 3), ...lines.slice(4)], [key.verifierKey])).toMatchObject({ firstBad: 7 });
    const header = JSON.parse(lines[0]!);
    header.right[0] = '00'.repeat(32);
    expect(verify([JSON.stringify(header), ...lines.slice(1)], [key.verifierKey])).toMatchObject({ why: 'root' });
    expect(verify(lines, [generateNoteKey(ORIGIN).verifierKey])).toMatchObject({ why: 'signature' });
  });

  it('verifies the worked example of the document, with both signatures', () => {
    const vkey = 'example.com/steward-audit+fdd80592+AQ3V1SSm3gjOUrBdz3bP7uGMmkwCobfP63hF8UjLhbXE';
    const header = {
      format: 'steward-audit-bundle/v1',
      origin: 'example.com/steward-audit',
      size: 5,
      from: 2,
      to: 4,
      checkpoint:
        'example.com/steward-audit\n5\nBOyX4mJl8JqrsTlyCBLYD1FTlLo6ZwIF7xGiCkWomR4=\n\n' +
        '— example.com/steward-audit /dgFkpoXu7LyKpaDksAPDwBAPSCka3Scw5tL4ipzBdGe0qibsWiGY5cT3vAxMmPPHid4SQ3byunGOS8TovE8P/9N2Ao=\n',
      left: ['13e28aae3b966ef38fd844266f512647864ea5a760ce9c781c3ec38a050e729b'],
      right: ['73969dc1ae42c8b6a822f632012283e049d41d4138f38c5535374e2f38c682a4'],
    };
    const entries = [
      '{"index":2,"leafHash":"e0563bc70248bca5b82afb43aeff974b76f80f8486fcdc75cf195078586dc446","entry":{"action":"activity.seal","actor":{"id":"ingest","kind":"system"},"details":{"count":40,"digest":"50d858e0985ecc7f60418aaf0cc5ab587f42c2570a884095a9e8ccacd0f6545c","ids":[[1,40]]},"subject":{"id":"1-40","kind":"events"},"time":1767225720000,"v":1}}',
      '{"index":3,"leafHash":"aae36dc136a39fec4cb286791c0fbbdbdbb2b06e06b1e571e17ea727ca3746fb","entry":{"action":"decision.deny","actor":{"id":"gk_7","kind":"gateway_key"},"details":{"status":403},"outcome":"failure","subject":{"id":"no-secrets","kind":"rule"},"time":1767225780000,"v":1}}',
    ];
    const root = '04ec97e26265f09aabb139720812d80f515394ba3a670205ef11a20a45a8991e';
    expect(verify([JSON.stringify(header), ...entries], [vkey])).toEqual({ ok: true, root });
    const ecKey =
      'example.com/steward-audit+140951c1+AjBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABEyzBxhsxBBuw7lO2iYd9Nxv/fybJakvOWJsZ3qSHnFxkckSnMkwP6P464kpsDYqBTb4RDLXaqnbW0FXvTBbWpE=';
    const ecNote =
      'example.com/steward-audit\n5\nBOyX4mJl8JqrsTlyCBLYD1FTlLo6ZwIF7xGiCkWomR4=\n\n' +
      '— example.com/steward-audit FAlRwTBGAiEAzS27Q6p6fWu8cbLx9jWZ3Q+0B/yCObvIHFLS+NqLq6gCIQDnuRwZsH2JoGrquHFsvuy1H13X37YRhCqGHF+SF68p0A==\n';
    expect(verify([JSON.stringify({ ...header, checkpoint: ecNote }), ...entries], [ecKey])).toEqual({
      ok: true,
      root,
    });
    const tampered = entries[1]!.replace('"status":403', '"status":200');
    expect(verify([JSON.stringify(header), entries[0]!, tampered], [vkey])).toMatchObject({ firstBad: 3 });
  });

  it('reproduces the transparency-dev/merkle roots and verifies the sumdb/note vector', () => {
    const leaves = LEAF_INPUTS_HEX.map((hex) => ({ level: 0, hash: leafHashOf(Buffer.from(hex, 'hex')) }));
    for (let n = 0; n <= 8; n++) expect(fold(leaves.slice(0, n)).toString('hex'), `size ${n}`).toBe(ROOTS_HEX[n]);
    const text =
      "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
    const note =
      text +
      '\n— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n';
    expect(openNote(note, ['PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW'])).toBe(text);
    expect(
      openNote(note.replace('answer', 'Answer'), [
        'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW',
      ]),
    ).toBeNull();
  });
});
