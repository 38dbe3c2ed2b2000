import { strictBase64 } from './signed-note.js';

/**
 * Checkpoints (c2sp.org/tlog-checkpoint): the text of the signed note the vault publishes for a tree size.
 *
 *     <origin>\n          a unique identifier of the log; non-empty
 *     <size>\n            ASCII decimal, no leading zeroes ("0" for the empty tree)
 *     <base64 root>\n     RFC 4648 §4 base64 of the 32-byte RFC 6962 root
 *     [<extension>\n]*    optional, each non-empty ("NOT RECOMMENDED"; we write none but accept them)
 *
 * The signatures around it are signed-note.ts's business; the spec's SHOULD that the key name match the origin
 * is the caller's (the vault signs with a key named after its origin).
 */

export interface Checkpoint {
  origin: string;
  size: number;
  root: Buffer;
  /** Extension lines, in order (never written by Steward). */
  extensions?: readonly string[];
}

export class CheckpointError extends Error {
  override readonly name = 'CheckpointError';
}

/** The checkpoint note text (ends with "\n", ready for signNote). */
export function formatCheckpoint(cp: Checkpoint): string {
  if (cp.origin === '' || cp.origin.includes('\n')) throw new CheckpointError('origin must be one non-empty line');
  if (!Number.isSafeInteger(cp.size) || cp.size < 0) throw new CheckpointError(`tree size ${cp.size} is not valid`);
  if (cp.root.length !== 32) throw new CheckpointError(`root hash must be 32 bytes, got ${cp.root.length}`);
  let text = `${cp.origin}\n${cp.size}\n${cp.root.toString('base64')}\n`;
  for (const ext of cp.extensions ?? []) {
    if (ext === '' || ext.includes('\n')) throw new CheckpointError('extension lines must be single non-empty lines');
    text += ext + '\n';
  }
  return text;
}

/** Parses checkpoint text (a verified note's text); throws CheckpointError saying which line is wrong. */
export function parseCheckpoint(text: string): Required<Checkpoint> {
  if (!text.endsWith('\n')) throw new CheckpointError('checkpoint text must end with a newline');
  const lines = text.slice(0, -1).split('\n');
  const [origin, sizeText, rootText, ...extensions] = lines;
  if (origin === undefined || sizeText === undefined || rootText === undefined) {
    throw new CheckpointError('checkpoint needs origin, tree size and root hash lines');
  }
  if (origin === '') throw new CheckpointError('checkpoint line 1: the origin is empty');
  if (!/^(0|[1-9][0-9]*)$/.test(sizeText) || !Number.isSafeInteger(Number(sizeText))) {
    throw new CheckpointError(`checkpoint line 2: ${JSON.stringify(sizeText)} is not a decimal tree size`);
  }
  const root = strictBase64(rootText);
  if (!root || root.length !== 32) {
    throw new CheckpointError(`checkpoint line 3: ${JSON.stringify(rootText)} is not a base64 32-byte root hash`);
  }
  const empty = extensions.findIndex((l) => l === '');
  if (empty >= 0) throw new CheckpointError(`checkpoint line ${empty + 4}: extension lines must be non-empty`);
  return { origin, size: Number(sizeText), root, extensions };
}
