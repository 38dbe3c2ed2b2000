import { endsByItself, skipValue } from './json-scan.js';

/**
 * Skips request values that clients send unchanged again and again without scanning them. Claude Code resends the
 * same `tools` (the tool schemas) and `system` blocks with every turn of every session of a version — about 15 KB of
 * the benchmark's 20 KB request — and the gateway reads neither; it only needs to know where they end to reach the
 * fields after them (`metadata`, `max_tokens`, `stream`). A value byte-equal to one seen recently ends where that one
 * did, so a native comparison replaces the structural scan (json-scan.ts): 0.25 µs against 4.4 µs for the tools of
 * the benchmark's request.
 *
 * Only arrays, objects and strings are kept: their end is fixed by their own bytes, whereas a number's end depends on
 * the byte after it. A few recent values per member name, each between MIN_BYTES and MAX_BYTES, are kept as copies
 * (never a view of a request's body, which would keep the whole body alive); at most
 * NAMES × PER_NAME × MAX_BYTES (2 MiB) in all. Nothing kept leaves the process or is logged: the bytes are only
 * compared.
 */
const PER_NAME = 4;
const MIN_BYTES = 1024;
const MAX_BYTES = 256 * 1024;

export class RepeatedValues {
  private readonly seen = new Map<string, Buffer[]>();

  /** `names`: the members whose values are worth remembering. */
  constructor(private readonly names: ReadonlySet<string>) {}

  /** The index after the value of member `name` starting at `at`, or -1 when `name` is not one remembered. */
  skip(name: string, b: Buffer, at: number): number {
    if (!this.names.has(name) || !endsByItself(b, at)) return -1;
    let kept = this.seen.get(name);
    if (kept) {
      for (let k = 0; k < kept.length; k++) {
        const v = kept[k] as Buffer;
        const end = at + v.length;
        if (end <= b.length && b.compare(v, 0, v.length, at, end) === 0) {
          if (k > 0) kept.unshift(...kept.splice(k, 1)); // most recently used first
          return end;
        }
      }
    }
    const end = skipValue(b, at);
    const length = end - at;
    if (length >= MIN_BYTES && length <= MAX_BYTES) {
      if (!kept) this.seen.set(name, (kept = []));
      kept.unshift(Buffer.from(b.subarray(at, end)));
      if (kept.length > PER_NAME) kept.length = PER_NAME;
    }
    return end;
  }
}
