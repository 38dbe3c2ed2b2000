import { z } from 'zod';
import type { AuditEntry } from '../contracts/audit.js';
import { canonicalJson } from './canonical-json.js';
import { rangeNodes, type NodeRef } from './merkle.js';

/**
 * The offline export bundle (issue 7; specified in docs/audit-bundle.md): one JSON Lines file that a third party
 * verifies with nothing but the log's verifier key.
 *
 *   line 1   header: {"format":"steward-audit-bundle/v1","origin",…,"checkpoint":<signed note>,"left","right"}
 *   line 2…  one per entry, index order:  {"index":i,"leafHash":"<64 hex>","entry":<RFC 8785 JSON of the entry>}
 *            or, for an entry whose content retention pruned:  {"index":i,"leafHash":"<64 hex>","entry":null}
 *
 * The entry member is written last and in canonical form, so its bytes on the line are exactly the leaf bytes the
 * log hashed: a verifier may hash them as they stand (bundle-verify.ts does), or parse and re-canonicalise them.
 * `left` and `right` carry the hashes of the complete subtrees covering [0, from) and [to, size) (the compact
 * ranges, docs "Boundaries"), so the entries of [from, to) rebuild the checkpoint's root without the others.
 */

export const BUNDLE_FORMAT = 'steward-audit-bundle/v1';

const hex32 = z.string().regex(/^[0-9a-f]{64}$/, '32-byte lower-case hex hash');
const count = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

export const bundleHeaderSchema = z
  .object({
    format: z.literal(BUNDLE_FORMAT),
    /** The checkpoint origin (the log's name). */
    origin: z.string().min(1),
    /** Tree size of `checkpoint`. */
    size: count,
    /** The entries of [from, to) follow. */
    from: count,
    to: count,
    /** The signed checkpoint note (c2sp.org/tlog-checkpoint in a c2sp.org/signed-note). */
    checkpoint: z.string().min(1),
    /** Earlier signed checkpoints with sizes in [from, to], ascending: optional, they narrow a first bad index. */
    checkpoints: z.array(z.string().min(1)).optional(),
    /** The log's verifier keys, for information only: a verifier trusts the keys it was given, never these. */
    verifierKeys: z.array(z.string()).optional(),
    /** Hashes of rangeNodes(0, from), left to right. */
    left: z.array(hex32),
    /** Hashes of rangeNodes(to, size), left to right. */
    right: z.array(hex32),
  })
  .refine((h) => h.from <= h.to && h.to <= h.size, { message: 'from <= to <= size must hold' });
export type BundleHeader = z.infer<typeof bundleHeaderSchema>;

/** The complete subtrees whose hashes a bundle of [from, to) carries as its boundaries (a store fetches them). */
export function bundleBoundaryNodes(from: number, to: number, size: number): { left: NodeRef[]; right: NodeRef[] } {
  return { left: rangeNodes(0, from), right: rangeNodes(to, size) };
}

export interface BundleHeaderInput {
  origin: string;
  size: number;
  from: number;
  to: number;
  checkpoint: string;
  checkpoints?: readonly string[];
  verifierKeys?: readonly string[];
  left: readonly Uint8Array[];
  right: readonly Uint8Array[];
}

export interface BundleEntryInput {
  index: number;
  leafHash: Uint8Array;
  /** The entry's canonical JSON as the log stored it (preferred: written byte for byte). */
  leaf?: string | null;
  /** Or the entry itself (canonicalised here). Both absent or null: the content was pruned. */
  entry?: AuditEntry | null;
}

const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.length).toString('hex');

/** Line 1. */
export function bundleHeaderLine(h: BundleHeaderInput): string {
  const header: BundleHeader = {
    format: BUNDLE_FORMAT,
    origin: h.origin,
    size: h.size,
    from: h.from,
    to: h.to,
    checkpoint: h.checkpoint,
    ...(h.checkpoints?.length ? { checkpoints: [...h.checkpoints] } : {}),
    ...(h.verifierKeys?.length ? { verifierKeys: [...h.verifierKeys] } : {}),
    left: h.left.map(hex),
    right: h.right.map(hex),
  };
  const expected = bundleBoundaryNodes(h.from, h.to, h.size);
  if (header.left.length !== expected.left.length || header.right.length !== expected.right.length) {
    throw new RangeError(
      `boundaries for [${h.from}, ${h.to}) of ${h.size}: ${expected.left.length} left and ` +
        `${expected.right.length} right subtree hashes expected, got ${header.left.length} and ${header.right.length}`,
    );
  }
  return JSON.stringify(header);
}

/** One entry line; the entry goes last, in canonical form (docs "Entry lines"). */
export function bundleEntryLine(e: BundleEntryInput): string {
  if (e.leafHash.length !== 32) throw new RangeError(`entry ${e.index}: leaf hash must be 32 bytes`);
  const leaf = e.leaf ?? (e.entry == null ? null : canonicalJson(e.entry));
  return `{"index":${e.index},"leafHash":"${hex(e.leafHash)}","entry":${leaf ?? 'null'}}`;
}

/** The bundle as lines (no newline characters): write each followed by "\n". Streams: 1M entries never sit in memory. */
export function* writeBundleLines(header: BundleHeaderInput, entries: Iterable<BundleEntryInput>): Generator<string> {
  yield bundleHeaderLine(header);
  for (const e of entries) yield bundleEntryLine(e);
}

/** The same over an async source (rows read from the store page by page). */
export async function* writeBundleLinesAsync(
  header: BundleHeaderInput,
  entries: AsyncIterable<BundleEntryInput> | Iterable<BundleEntryInput>,
): AsyncGenerator<string> {
  yield bundleHeaderLine(header);
  for await (const e of entries) yield bundleEntryLine(e);
}

/** Parses line 1; returns the reason when it is not a v1 header. */
export function parseBundleHeader(line: string): BundleHeader | string {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return 'the first line is not JSON';
  }
  const res = bundleHeaderSchema.safeParse(value);
  if (res.success) return res.data;
  const issue = res.error.issues[0];
  return `header ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`;
}
