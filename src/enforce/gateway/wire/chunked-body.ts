/**
 * Follows a chunked response body across reads (RFC 9112 §7.1): finds where it ends, so the upstream connection can
 * be reused, and hands out the chunk data (the content) for the usage tap, while the framed bytes themselves go to
 * the client untouched. Chunk extensions are skipped (§7.1.1), the trailer section is read and dropped from the
 * content (§7.1.2). A malformed frame is the upstream breaking the protocol: the exchange fails.
 */
const CR = 0x0d;
const LF = 0x0a;

/** `feed` needs more bytes. */
export const MORE = -1;
/** The framing is malformed. */
export const MALFORMED = -2;

/** A chunk-size line or trailer line longer than this is not a frame anyone sends. */
const MAX_LINE = 4096;
/** 12 hex digits: 256 TiB per chunk, beyond any response and within exact integers. */
const MAX_SIZE_DIGITS = 12;

/** Where in the frame the next byte is. */
const SIZE_LINE = 0;
const DATA = 1;
const DATA_CRLF = 2;
const TRAILER = 3;
const DONE = 4;

export class ChunkedBody {
  private state = SIZE_LINE;
  private left = 0;
  /** An unfinished line carried over from the previous read. */
  private line: Buffer | null = null;

  /**
   * Reads `data` from `start`; `onPayload` gets each piece of chunk data as a view of `data`. Returns the offset
   * just after the body's last byte, `MORE`, or `MALFORMED`.
   */
  feed(data: Buffer, start: number, onPayload: ((content: Buffer) => void) | null): number {
    let i = start;
    const n = data.length;
    while (i < n) {
      if (this.state === DATA) {
        const take = Math.min(this.left, n - i);
        if (onPayload !== null) onPayload(data.subarray(i, i + take));
        this.left -= take;
        i += take;
        if (this.left === 0) this.state = DATA_CRLF;
        continue;
      }
      // Every other state reads one CRLF-terminated line.
      const lf = data.indexOf(LF, i);
      let line: Buffer;
      if (lf < 0) {
        const rest = data.subarray(i);
        this.line = this.line === null ? Buffer.from(rest) : Buffer.concat([this.line, rest]);
        return this.line.length > MAX_LINE ? MALFORMED : MORE;
      }
      if (this.line !== null) {
        line = Buffer.concat([this.line, data.subarray(i, lf + 1)]);
        this.line = null;
      } else line = data.subarray(i, lf + 1);
      i = lf + 1;
      if (line.length > MAX_LINE || line.length < 2 || line[line.length - 2] !== CR) return MALFORMED;
      const ok = this.readLine(line, line.length - 2);
      if (!ok) return MALFORMED;
      if (this.state === DONE) return i;
    }
    return MORE;
  }

  get done(): boolean {
    return this.state === DONE;
  }

  /** One line, `end` excluding its CRLF. */
  private readLine(line: Buffer, end: number): boolean {
    switch (this.state) {
      case DATA_CRLF:
        if (end !== 0) return false;
        this.state = SIZE_LINE;
        return true;
      case TRAILER:
        // Trailer fields are dropped; the empty line ends the body.
        if (end === 0) this.state = DONE;
        return true;
      case SIZE_LINE: {
        // chunk-size [ chunk-ext ] CRLF; chunk-ext = *( BWS ";" BWS ext-name [ BWS "=" BWS ext-val ] )
        let size = 0;
        let k = 0;
        for (; k < end; k++) {
          const d = hexValue(line[k] as number);
          if (d < 0) break;
          size = size * 16 + d;
        }
        if (k === 0 || k > MAX_SIZE_DIGITS) return false;
        if (k < end) {
          let e = k;
          while (e < end && (line[e] === 0x20 || line[e] === 0x09)) e++;
          if (line[e] !== 0x3b /* ';' */) return false;
        }
        if (size === 0) this.state = TRAILER;
        else {
          this.left = size;
          this.state = DATA;
        }
        return true;
      }
      default:
        return false;
    }
  }
}

function hexValue(b: number): number {
  if (b >= 0x30 && b <= 0x39) return b - 0x30;
  const l = b | 0x20;
  if (l >= 0x61 && l <= 0x66) return l - 0x61 + 10;
  return -1;
}
