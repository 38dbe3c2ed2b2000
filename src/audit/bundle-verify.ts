import { SEAL_ACTION, sealDetails } from './activity-seal.js';
import { parseBundleHeader, type BundleHeader } from './bundle.js';
import { canonicalJson } from './canonical-json.js';
import { CheckpointError, parseCheckpoint } from './checkpoint.js';
import { locate } from './locate.js';
import { Frontier, HASH_SIZE, hashLeaf, rangeNodes } from './merkle.js';
import { NoteError, verifyNote } from './signed-note.js';

/**
 * Verifies an export bundle offline (docs/audit-bundle.md "Verifying"), streaming: one pass over the lines, the
 * leaf hashes kept (32 bytes each) only so that a failure can be located.
 *
 * 1. The checkpoint must carry a valid signature by one of `trustedKeys` (keys listed in the bundle are ignored).
 * 2. Entry lines must have indexes from, from+1, …, to−1 (a gap, repeat or reordering is bad at that index).
 * 3. Each entry's leaf is SHA-256(0x00 || canonical JSON of the entry); a pruned entry (entry null) counts with its
 *    listed hash. A listed hash that disagrees with the entry is bad at that index.
 * 4. left boundary + leaves + right boundary must rebuild the checkpoint's root (and earlier checkpoints in the
 *    header, each at its size). If not, locate.ts names the first bad index by authenticated descent.
 * 5. An `activity.seal` entry's details must be a seal's ({count, ids, digest}); whether the sealed rows still
 *    match is the store's check (`steward audit check`), not the bundle's.
 * The verdict's firstBadIndex is the smallest index found bad (null when the failure is not an entry's: header,
 * signature).
 */

export type BundleVerdict =
  | {
      ok: true;
      origin: string;
      size: number;
      root: Buffer;
      from: number;
      to: number;
      /** Entry lines verified (pruned ones included). */
      entries: number;
      pruned: number;
      seals: number;
    }
  | {
      ok: false;
      firstBadIndex: number | null;
      /** When known: the first bad index lies in [start, end) (a single index when exact). */
      badRange?: [number, number];
      reason: string;
    };

interface Problem {
  index: number;
  end: number;
  reason: string;
}

const SEAL_PREFIX = `{"action":"${SEAL_ACTION}"`;
const CHUNK = 1 << 16; // leaf hashes per storage chunk

/** Leaf hashes by index, in 2 MiB chunks (no per-leaf objects), plus where the recorded hash differs. */
class LeafStore {
  private readonly chunks: Buffer[] = [];
  /** 1: content present, 2: recorded hash present. */
  private readonly flags: Uint8Array[] = [];
  readonly differing = new Map<number, Buffer>();

  constructor(private readonly from: number) {}

  set(index: number, primary: Uint8Array | null, hasContent: boolean, recorded: Buffer | null): void {
    const k = index - this.from;
    const c = Math.floor(k / CHUNK);
    while (this.chunks.length <= c) {
      this.chunks.push(Buffer.alloc(CHUNK * HASH_SIZE));
      this.flags.push(new Uint8Array(CHUNK));
    }
    const flags = this.flags[c] as Uint8Array;
    const at = k % CHUNK;
    if (primary) (this.chunks[c] as Buffer).set(primary, at * HASH_SIZE);
    flags[at] = (hasContent ? 1 : 0) | (recorded ? 2 : 0);
  }

  private get(index: number, bit: number): Buffer | null {
    const k = index - this.from;
    const c = Math.floor(k / CHUNK);
    const at = k % CHUNK;
    if (!(((this.flags[c]?.[at] ?? 0) & bit) !== 0)) return null;
    return (this.chunks[c] as Buffer).subarray(at * HASH_SIZE, (at + 1) * HASH_SIZE);
  }

  recomputed = (index: number): Buffer | null => this.get(index, 1);
  recorded = (index: number): Buffer | null => this.differing.get(index) ?? this.get(index, 2);
}

const fail = (firstBadIndex: number | null, reason: string, badRange?: [number, number]): BundleVerdict =>
  badRange ? { ok: false, firstBadIndex, badRange, reason } : { ok: false, firstBadIndex, reason };

interface Trusted {
  size: number;
  root: Buffer;
}

function trustedCheckpoint(note: string, keys: readonly string[], origin: string): Trusted | string {
  let text: string | null;
  try {
    text = verifyNote(note, keys);
  } catch (err) {
    if (err instanceof NoteError) return `a trusted key is malformed: ${err.message}`;
    throw err;
  }
  if (text === null) return 'the checkpoint is not signed by a trusted key';
  try {
    const cp = parseCheckpoint(text);
    if (cp.origin !== origin) return `the checkpoint's origin ${JSON.stringify(cp.origin)} is not the bundle's`;
    return { size: cp.size, root: cp.root };
  } catch (err) {
    if (err instanceof CheckpointError) return err.message;
    throw err;
  }
}

/** Verifies a bundle given as lines (a readline interface, an array, a generator). */
export async function verifyBundle(
  lines: AsyncIterable<string> | Iterable<string>,
  trustedKeys: readonly string[],
): Promise<BundleVerdict> {
  let header: BundleHeader | null = null;
  let main: Trusted | null = null;
  let earlier: Trusted[] = [];
  let frontier: Frontier | null = null;
  let store: LeafStore | null = null;
  const problems: Problem[] = [];
  const checked: { passed: number; failed: Trusted | null } = { passed: 0, failed: null };
  let expected = 0;
  let pruned = 0;
  let seals = 0;
  let entries = 0;
  let nextEarlier = 0;

  const checkEarlier = (): void => {
    while (frontier && nextEarlier < earlier.length && (earlier[nextEarlier] as Trusted).size === frontier.size) {
      const cp = earlier[nextEarlier++] as Trusted;
      if (checked.failed) continue;
      if (frontier.root().equals(cp.root)) checked.passed = cp.size;
      else checked.failed = cp;
    }
  };

  for await (const raw of lines) {
    if (header === null) {
      const parsed = parseBundleHeader(raw);
      if (typeof parsed === 'string') return fail(null, parsed);
      header = parsed;
      const cp = trustedCheckpoint(header.checkpoint, trustedKeys, header.origin);
      if (typeof cp === 'string') return fail(null, cp);
      if (cp.size !== header.size) return fail(null, `the header says size ${header.size}, the checkpoint ${cp.size}`);
      main = cp;
      for (const note of header.checkpoints ?? []) {
        const e = trustedCheckpoint(note, trustedKeys, header.origin);
        if (typeof e === 'string') return fail(null, `an earlier checkpoint: ${e}`);
        if (e.size < header.from || e.size > header.to)
          return fail(null, `earlier checkpoint size ${e.size} is outside the range`);
        earlier.push(e);
      }
      earlier = earlier.sort((a, b) => a.size - b.size);
      if (header.left.length !== rangeNodes(0, header.from).length)
        return fail(null, 'the left boundary has the wrong number of hashes');
      if (header.right.length !== rangeNodes(header.to, header.size).length)
        return fail(null, 'the right boundary has the wrong number of hashes');
      frontier = new Frontier(
        header.from,
        header.left.map((h) => Buffer.from(h, 'hex')),
      );
      store = new LeafStore(header.from);
      expected = header.from;
      checkEarlier();
      continue;
    }
    if (raw === '') continue; // a final newline, or blank lines between records
    if (!store) break;
    const line = parseEntryLine(raw);
    if (typeof line === 'string') {
      problems.push({ index: expected, end: expected + 1, reason: `the line for entry ${expected}: ${line}` });
      expected += 1;
      frontier = null;
      continue;
    }
    const { index } = line;
    if (index !== expected || index >= header.to) {
      const where = Math.min(index, expected);
      const reason =
        index >= header.to
          ? `entry ${index} lies beyond the bundle's range (to ${header.to})`
          : index < expected
            ? `entry ${index} appears again, or out of order, after entry ${expected - 1}`
            : `entries ${expected}..${index - 1} are missing`;
      problems.push({ index: where, end: where + 1, reason });
      if (index < expected || index >= header.to) continue;
      frontier = null; // leaves are missing: only locate can still say more
      expected = index;
    }
    expected += 1;
    entries += 1;
    const recorded = line.leafHash;
    let computed: Buffer | null = null;
    let leaf = line.leaf;
    if (leaf === null) pruned += 1;
    else {
      computed = hashLeaf(leaf);
      if (!computed.equals(recorded)) {
        // The raw bytes are not the leaf: the entry changed, or only its formatting did (re-canonicalise to know).
        const canonical = recanonicalise(leaf);
        if (canonical === null) {
          problems.push({ index, end: index + 1, reason: `entry ${index} is not valid JSON (I-JSON)` });
        } else {
          leaf = canonical;
          computed = hashLeaf(canonical);
          if (!computed.equals(recorded)) {
            problems.push({ index, end: index + 1, reason: `entry ${index} does not hash to its listed leaf hash` });
          }
        }
      }
      // "action" sorts before every other member of an audit entry, so a seal's canonical text starts this way.
      if (leaf.startsWith(SEAL_PREFIX)) {
        const entry = safeParse(leaf) as { action?: unknown; details?: unknown } | null;
        if (entry?.action === SEAL_ACTION) {
          seals += 1;
          if (!sealDetails(entry.details)) {
            problems.push({ index, end: index + 1, reason: `activity seal ${index} lacks {count, ids, digest}` });
          }
        }
      }
    }
    const primary = computed ?? recorded;
    store.set(index, primary, computed !== null, recorded);
    if (computed && !computed.equals(recorded)) store.differing.set(index, recorded);
    if (frontier) {
      frontier.push(primary);
      checkEarlier();
    }
  }

  if (!header || !main || !store) return fail(null, 'the bundle is empty');
  if (expected < header.to) {
    problems.push({ index: expected, end: expected + 1, reason: `entries ${expected}..${header.to - 1} are missing` });
  }

  let root: Buffer | null = null;
  if (frontier && frontier.size === header.to) {
    for (const [i, ref] of rangeNodes(header.to, header.size).entries()) {
      frontier.appendSubtree(ref.level, Buffer.from(header.right[i] as string, 'hex'));
    }
    root = frontier.root();
  }
  const rootHolds = root !== null && root.equals(main.root);
  if (rootHolds && checked.failed) {
    return fail(null, `the log signed inconsistent checkpoints (sizes ${checked.failed.size} and ${main.size})`);
  }
  const located = rootHolds ? null : locateProblem(header, main, checked, store);
  if (!located && problems.length === 0) {
    return {
      ok: true,
      origin: header.origin,
      size: main.size,
      root: main.root,
      from: header.from,
      to: header.to,
      entries,
      pruned,
      seals,
    };
  }
  // The answer is the smallest index proven wrong: an entry that failed a check of its own (missing, repeated,
  // hash mismatch…) below the end of the located range, else the located range's start (docs "First bad index").
  problems.sort((a, b) => a.index - b.index);
  const own = problems[0];
  const first = own && (!located || own.index < located.end) ? own : (located as Problem);
  const range: [number, number] = located
    ? [Math.min(located.index, first.index), located.end]
    : [first.index, first.end];
  const others = problems.length + (located ? 1 : 0) - 1;
  const more = others > 0 ? ` (${others} more problem${others > 1 ? 's' : ''})` : '';
  return fail(first.index, first.reason + more, range);
}

/** The first bad index when the leaves do not rebuild a trusted root (the smallest failing checkpoint's). */
function locateProblem(
  header: BundleHeader,
  main: Trusted,
  checked: { passed: number; failed: Trusted | null },
  store: LeafStore,
): Problem {
  const target = checked.failed ?? main;
  const to = Math.min(header.to, target.size);
  const found = locate({
    size: target.size,
    root: target.root,
    from: header.from,
    to,
    recomputed: store.recomputed,
    recorded: store.recorded,
    left: header.left.map((h) => Buffer.from(h, 'hex')),
    right: target === main ? header.right.map((h) => Buffer.from(h, 'hex')) : [],
  });
  const what = `the entries do not rebuild the signed root of size ${target.size}`;
  if (!found) return { index: header.from, end: target.size, reason: what };
  // A checkpoint that held proves every entry below its size right.
  const index = Math.max(found.index, checked.passed);
  const end = Math.max(index + 1, found.end);
  if (index >= header.from && end === index + 1) return { index, end, reason: `${what}; entry ${index} is wrong` };
  if (index < header.from)
    return { index, end, reason: `${what}; the boundary hashes before entry ${header.from} are wrong` };
  return { index, end, reason: `${what}; the first wrong entry is in ${index}..${end - 1}` };
}

interface EntryLine {
  index: number;
  leafHash: Buffer;
  /** The raw text of the entry member (canonical JSON when the bundle is intact), null when pruned. */
  leaf: string | null;
}

const PREFIX = '{"index":';
const HASH_KEY = ',"leafHash":"';
const ENTRY_KEY = '","entry":';

/**
 * Reads an entry line. The writer's exact layout is parsed by hand (the entry's bytes are then the leaf bytes);
 * any other layout of the same JSON object is accepted through JSON.parse and re-canonicalised.
 */
export function parseEntryLine(raw: string): EntryLine | string {
  if (raw.startsWith(PREFIX) && raw.endsWith('}')) {
    const comma = raw.indexOf(HASH_KEY, PREFIX.length);
    const digits = comma > 0 ? raw.slice(PREFIX.length, comma) : '';
    const hashAt = comma + HASH_KEY.length;
    if (/^(0|[1-9][0-9]*)$/.test(digits) && isLowerHex(raw, hashAt, 64) && raw.startsWith(ENTRY_KEY, hashAt + 64)) {
      const hex = raw.slice(hashAt, hashAt + 64);
      const leaf = raw.slice(hashAt + 64 + ENTRY_KEY.length, -1);
      const index = Number(digits);
      if (Number.isSafeInteger(index))
        return { index, leafHash: Buffer.from(hex, 'hex'), leaf: leaf === 'null' ? null : leaf };
    }
  }
  const value = safeParse(raw);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not a JSON object';
  const { index, leafHash, entry, ...rest } = value as Record<string, unknown>;
  if (Object.keys(rest).length > 0) return `unexpected member ${Object.keys(rest)[0]}`;
  if (typeof index !== 'number' || !Number.isSafeInteger(index) || index < 0) return 'index is not a whole number';
  if (typeof leafHash !== 'string' || !/^[0-9a-f]{64}$/.test(leafHash)) return 'leafHash is not 64 lower-case hex';
  if (entry === undefined) return 'entry is missing';
  let leaf: string | null = null;
  if (entry !== null) {
    leaf = recanonicalise(JSON.stringify(entry));
    if (leaf === null) return 'entry is not I-JSON';
  }
  return { index, leafHash: Buffer.from(leafHash, 'hex'), leaf };
}

/** `len` lower-case hex digits at `at` (a loop: a regular expression over a slice cost 6% of verifying). */
function isLowerHex(s: string, at: number, len: number): boolean {
  if (s.length < at + len) return false;
  for (let i = at; i < at + len; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function recanonicalise(text: string): string | null {
  const value = safeParse(text);
  if (value === undefined) return null;
  try {
    return canonicalJson(value);
  } catch {
    return null;
  }
}
