/**
 * Characters that hide text from a person reading a prompt or a tool result while a model still reads them:
 * zero-width and other invisible format characters, bidirectional controls (Trojan Source, CVE-2021-42574),
 * Unicode tag characters U+E0000–E007F (ASCII smuggling), variation selectors U+E0100–E01EF used as a covert
 * channel, and ANSI/VT escape sequences (ECMA-48) that move the cursor, erase or conceal terminal output.
 * Legitimate uses are left alone: ZWJ/ZWNJ inside emoji sequences and joining scripts, a BOM at offset 0,
 * LRM/RLM beside right-to-left text, tag sequences of subdivision flags, one variation selector after a CJK
 * ideograph. Consecutive characters of one kind form one finding.
 */
import type { DetectorType } from '../contracts/detection.js';
import { addFinding, type ScanContext } from './scan-context.js';

export const hiddenTextTypes: readonly DetectorType[] = ['zero_width', 'bidi_control', 'unicode_tag', 'ansi_escape'];

const HIDDEN =
  /[\u001B\u009B\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u206F\uFEFF\uFFF9-\uFFFB]|\uDB40[\uDC00-\uDDEF]/g;

export function detectHiddenText(ctx: ScanContext): void {
  const { text } = ctx;
  // All-ASCII text (the common case) can only hide ESC; V8 answers byteLength for one-byte strings quickly.
  if (Buffer.byteLength(text, 'utf8') === text.length) {
    let i = text.indexOf('\u001B');
    while (i !== -1) {
      i = ansiAt(ctx, i);
      i = text.indexOf('\u001B', i);
    }
    return;
  }
  const re = HIDDEN;
  re.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    const i = m.index;
    const c = text.charCodeAt(i);
    const next = c === 0x1b || c === 0x9b ? ansiAt(ctx, i) : c === 0xdb40 ? supplementRun(ctx, i) : formatRun(ctx, i);
    if (next > re.lastIndex) re.lastIndex = next;
  }
}

function kindOf(c: number): DetectorType | undefined {
  if (c === 0x200e || c === 0x200f || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069))
    return 'bidi_control';
  if (c === 0x180e || (c >= 0x200b && c <= 0x200d) || (c >= 0x2060 && c <= 0x2064) || (c >= 0x206a && c <= 0x206f))
    return 'zero_width';
  if (c === 0xfeff || (c >= 0xfff9 && c <= 0xfffb)) return 'zero_width';
  return undefined;
}

function formatRun(ctx: ScanContext, i: number): number {
  const { text } = ctx;
  const kind = kindOf(text.charCodeAt(i));
  if (!kind) return i + 1;
  let end = i + 1;
  while (end < text.length && kindOf(text.charCodeAt(end)) === kind) end++;
  const n = end - i;
  if (kind === 'zero_width') {
    if (i === 0 && n === 1 && text.charCodeAt(0) === 0xfeff) return end; // byte order mark
    if (n === 1 && isJoinerInContext(text, i)) return end;
    addFinding(ctx, kind, i, end, n > 1 ? 0.9 : 0.8);
    return end;
  }
  const marksOnly = allMarks(text, i, end);
  if (marksOnly && nearRightToLeft(text, i, end)) return end; // LRM/RLM doing their job in bidirectional text
  const override = text.slice(i, end).includes('\u202E') || text.slice(i, end).includes('\u202D');
  addFinding(ctx, kind, i, end, override ? 0.95 : marksOnly ? 0.5 : 0.85);
  return end;
}

function allMarks(text: string, start: number, end: number): boolean {
  for (let k = start; k < end; k++) {
    const c = text.charCodeAt(k);
    if (c !== 0x200e && c !== 0x200f) return false;
  }
  return true;
}

/** ZWJ/ZWNJ between emoji (or after VS16) or next to letters of scripts that use joiners (Arabic, Indic …). */
function isJoinerInContext(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  if (c !== 0x200c && c !== 0x200d) return false;
  const before = text.charCodeAt(i - 1);
  const after = text.charCodeAt(i + 1);
  const emoji = (x: number): boolean =>
    (x >= 0xdc00 && x <= 0xdfff) || (x >= 0xd83c && x <= 0xd83e) || (x >= 0x2600 && x <= 0x27bf) || x === 0xfe0f;
  const joining = (x: number): boolean =>
    (x >= 0x0600 && x <= 0x08ff) ||
    (x >= 0x0900 && x <= 0x0dff) ||
    (x >= 0x1000 && x <= 0x109f) ||
    (x >= 0xa800 && x <= 0xabff);
  return (emoji(before) && emoji(after)) || joining(before) || joining(after);
}

function nearRightToLeft(text: string, start: number, end: number): boolean {
  const from = Math.max(0, start - 24);
  const to = Math.min(text.length, end + 24);
  for (let k = from; k < to; k++) {
    const c = text.charCodeAt(k);
    if ((c >= 0x0590 && c <= 0x08ff) || (c >= 0xfb1d && c <= 0xfdff) || (c >= 0xfe70 && c <= 0xfefc)) return true;
  }
  return false;
}

/** Runs of supplementary-plane tags (U+E0000–E007F) or variation selectors (U+E0100–E01EF). */
function supplementRun(ctx: ScanContext, i: number): number {
  const { text } = ctx;
  const low = text.charCodeAt(i + 1);
  if (low < 0xdc00 || low > 0xddef) return i + 1;
  const tags = low <= 0xdc7f;
  let end = i;
  while (text.charCodeAt(end) === 0xdb40) {
    const l = text.charCodeAt(end + 1);
    if (tags ? l < 0xdc00 || l > 0xdc7f : l < 0xdd00 || l > 0xddef) break;
    end += 2;
  }
  if (end === i) return i + 1;
  const pairs = (end - i) / 2;
  if (tags) {
    // 🏴 (U+1F3F4) + tags + cancel tag spells a subdivision flag (England, Scotland, Wales).
    if (text.charCodeAt(i - 2) === 0xd83c && text.charCodeAt(i - 1) === 0xdff4) return end;
    addFinding(ctx, 'unicode_tag', i, end, 0.95);
    return end;
  }
  const prev = text.charCodeAt(i - 1);
  const ideograph = (prev >= 0x3400 && prev <= 0x9fff) || (prev >= 0xdc00 && prev <= 0xdfff);
  if (pairs === 1 && ideograph) return end; // an ideographic variation sequence
  addFinding(ctx, 'zero_width', i, end, pairs > 1 ? 0.9 : 0.6);
  return end;
}

/**
 * An ECMA-48 sequence at `i` (ESC or the C1 CSI 0x9B): CSI `ESC [ params intermediates final`, OSC/DCS/APC/PM/SOS
 * strings ended by BEL or ST, or a two/three-character escape. Adjacent sequences join one finding. Confidence:
 * colour (SGR) is common in tool output and scores low; conceal, cursor movement, erase and OSC (hyperlinks,
 * clipboard writes, titles) can hide or forge what a person sees and score high.
 */
function ansiAt(ctx: ScanContext, i: number): number {
  const { text } = ctx;
  let end = i;
  let confidence = 0;
  for (;;) {
    const seq = sequenceAt(text, end);
    if (seq.end === end) break;
    confidence = Math.max(confidence, seq.confidence);
    end = seq.end;
    const c = text.charCodeAt(end);
    if (c !== 0x1b && c !== 0x9b) break;
  }
  if (end === i) return i + 1;
  addFinding(ctx, 'ansi_escape', i, end, confidence);
  return end;
}

function sequenceAt(text: string, i: number): { end: number; confidence: number } {
  const c = text.charCodeAt(i);
  let k: number;
  if (c === 0x9b) k = i + 1;
  else if (c === 0x1b && text[i + 1] === '[') k = i + 2;
  else if (c === 0x1b && ']PX^_'.includes(text[i + 1] ?? '?')) return stringSequence(text, i);
  else if (c === 0x1b && i + 1 < text.length) {
    const n = text.charCodeAt(i + 1);
    if (n >= 0x20 && n <= 0x2f && i + 2 < text.length) return { end: i + 3, confidence: 0.6 }; // ESC ( B …
    if (n >= 0x30 && n <= 0x7e) return { end: i + 2, confidence: 0.6 };
    return { end: i + 1, confidence: 0.5 };
  } else {
    return { end: i, confidence: 0 };
  }
  const paramsStart = k;
  while (k < text.length && k - i < 64 && text.charCodeAt(k) >= 0x30 && text.charCodeAt(k) <= 0x3f) k++;
  const params = text.slice(paramsStart, k);
  while (k < text.length && k - i < 64 && text.charCodeAt(k) >= 0x20 && text.charCodeAt(k) <= 0x2f) k++;
  const final = text.charCodeAt(k);
  if (!(final >= 0x40 && final <= 0x7e)) return { end: k, confidence: 0.5 };
  if (final === 0x6d) return { end: k + 1, confidence: /(?:^|;)8(?:;|$)/.test(params) ? 0.9 : 0.4 }; // SGR; 8 = conceal
  return { end: k + 1, confidence: 0.8 };
}

/**
 * OSC, DCS, SOS, PM, APC: up to BEL or ST (ESC \), at most 4 KB; another ESC aborts the string (ECMA-48 8.3.89),
 * which also keeps the search from reading past the next sequence (linear time on a run of introducers).
 */
function stringSequence(text: string, i: number): { end: number; confidence: number } {
  const limit = Math.min(text.length, i + 4096);
  for (let k = i + 2; k < limit; k++) {
    const c = text.charCodeAt(k);
    if (c === 0x07) return { end: k + 1, confidence: 0.95 };
    if (c === 0x1b) return text[k + 1] === '\\' ? { end: k + 2, confidence: 0.95 } : { end: k, confidence: 0.9 };
  }
  return { end: Math.min(limit, i + 2), confidence: 0.9 };
}
