import { emptyUsage, foldUsage, type Usage } from './usage.js';

/**
 * Reads usage out of a Messages API event stream as its chunks pass through (claude-surfaces.md §6.3): the initial
 * usage in `message_start` (`message.usage`), the cumulative usage in each `message_delta`, and an `event: error`.
 * The caller writes each chunk to the client first and hands it here after, so parsing never delays a byte.
 *
 * A small state machine over lines: `event:` names the current event, `data:` lines are parsed only when that event is
 * one of the three, a blank line ends the event. Everything else (text deltas, `ping`, unknown event types) is skipped
 * after a newline search. A line split across chunks is kept as slices of the chunks (no copy) until it completes;
 * an over-long line of an event we do not read is dropped instead of buffered.
 */
const MAX_KEPT_LINE = 4 * 1024 * 1024;

/** The events read, by name; any other event is OTHER. */
const OTHER = 0;
const MESSAGE_START = 1;
const MESSAGE_DELTA = 2;
const MESSAGE_STOP = 3;
const CONTENT_BLOCK_DELTA = 4;
const ERROR = 5;
const NAMES: readonly [Buffer, number][] = [
  [Buffer.from('message_start'), MESSAGE_START],
  [Buffer.from('message_delta'), MESSAGE_DELTA],
  [Buffer.from('message_stop'), MESSAGE_STOP],
  [Buffer.from('content_block_delta'), CONTENT_BLOCK_DELTA],
  [Buffer.from('error'), ERROR],
];

/** The event named by `buf[start, end)` (already trimmed), compared as bytes: no string per event. */
function eventOf(buf: Buffer, start: number, end: number): number {
  for (const [name, code] of NAMES) if (name.length === end - start && startsWith(buf, start, end, name)) return code;
  return OTHER;
}

const isBlank = (c: number | undefined): boolean => c === 0x20 || c === 0x09;
const EVENT = Buffer.from('event:');
const DATA = Buffer.from('data:');

function startsWith(buf: Buffer, start: number, end: number, prefix: Buffer): boolean {
  if (end - start < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (buf[start + i] !== prefix[i]) return false;
  return true;
}
const NL = 0x0a;

export class SseUsageTap {
  readonly usage: Usage = emptyUsage();
  /** Usage was reported (message_start or message_delta seen). */
  sawUsage = false;
  /** `message_stop` seen: the stream completed. */
  completed = false;
  model: string | null = null;
  messageId: string | null = null;
  /** The `error.type` of an `event: error` (e.g. overloaded_error), if one came. */
  errorType: string | null = null;

  /** Text the model wrote (`text_delta`s), kept only when asked for (response scanning), up to `maxTextChars`. */
  private readonly text: string[] = [];
  private textChars = 0;

  private event = OTHER;
  private partial: Buffer[] = [];
  private partialBytes = 0;
  private dropping = false;

  /** `maxTextChars` > 0: also keep the response's text (`content_block_delta` text deltas) for `responseText()`. */
  constructor(private readonly maxTextChars = 0) {}

  /** The text the model wrote, in order (empty unless text was asked for). */
  responseText(): string {
    return this.text.join('');
  }

  push(chunk: Buffer): void {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(NL, start);
      if (nl === -1) {
        if (start < chunk.length && !this.dropping) this.keep(chunk.subarray(start));
        return;
      }
      if (this.dropping) {
        this.dropping = false;
      } else if (this.partial.length > 0) {
        this.keep(chunk.subarray(start, nl));
        const line = Buffer.concat(this.partial, this.partialBytes);
        this.partial = [];
        this.partialBytes = 0;
        this.line(line, 0, line.length);
      } else {
        this.line(chunk, start, nl);
      }
      start = nl + 1;
    }
  }

  private keep(slice: Buffer): void {
    this.partial.push(slice);
    this.partialBytes += slice.length;
    if (this.partialBytes > MAX_KEPT_LINE) {
      this.partial = [];
      this.partialBytes = 0;
      this.dropping = true;
    }
  }

  private line(buf: Buffer, start: number, end: number): void {
    if (end > start && buf[end - 1] === 0x0d) end -= 1; // CRLF
    if (end === start) {
      this.event = OTHER;
      return;
    }
    // Prefixes and event names compared as bytes: most lines are text deltas and are dismissed without a string.
    if (startsWith(buf, start, end, EVENT)) {
      let from = start + EVENT.length;
      let to = end;
      while (from < to && isBlank(buf[from])) from++;
      while (to > from && isBlank(buf[to - 1])) to--;
      this.event = eventOf(buf, from, to);
      if (this.event === MESSAGE_STOP) this.completed = true;
      return;
    }
    const wanted =
      this.event === MESSAGE_START ||
      this.event === MESSAGE_DELTA ||
      this.event === ERROR ||
      (this.event === CONTENT_BLOCK_DELTA && this.wantsText());
    if (!wanted || !startsWith(buf, start, end, DATA)) return;
    let value: unknown;
    try {
      value = JSON.parse(buf.toString('utf8', start + DATA.length, end));
    } catch {
      return; // a malformed data line is the client's to judge; metering skips it
    }
    this.data(value as Record<string, unknown> | null);
  }

  private wantsText(): boolean {
    return this.textChars < this.maxTextChars;
  }

  private data(d: Record<string, unknown> | null): void {
    if (d === null || typeof d !== 'object') return;
    if (this.event === CONTENT_BLOCK_DELTA) {
      const delta = d.delta as Record<string, unknown> | undefined;
      if (delta?.type !== 'text_delta' || typeof delta.text !== 'string') return;
      const piece = delta.text.slice(0, this.maxTextChars - this.textChars);
      this.text.push(piece);
      this.textChars += piece.length;
    } else if (this.event === MESSAGE_START) {
      const message = d.message as Record<string, unknown> | undefined;
      if (!message || typeof message !== 'object') return;
      if (typeof message.model === 'string') this.model = message.model;
      if (typeof message.id === 'string') this.messageId = message.id;
      if (message.usage) {
        foldUsage(this.usage, message.usage);
        this.sawUsage = true;
      }
    } else if (this.event === MESSAGE_DELTA) {
      if (d.usage) {
        foldUsage(this.usage, d.usage);
        this.sawUsage = true;
      }
    } else {
      const error = d.error as Record<string, unknown> | undefined;
      this.errorType = typeof error?.type === 'string' ? error.type : 'error';
    }
  }
}
