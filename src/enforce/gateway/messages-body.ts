import { badRequest, type GatewayErrorReply } from './anthropic-error.js';
import { arrayElements, JsonScanError, objectMembers, parseSpan, skipSpace, type Span } from './json-scan.js';
import { RepeatedValues } from './repeated-values.js';

/**
 * The request fields the gateway reads. No schema over the whole Messages body and no parse of it: it is the hot
 * path and an open list the gateway must pass untouched (claude-surfaces.md §6.2: unknown body fields, `role:"system"`
 * messages mid-conversation). The body's structure is read in place (json-scan.ts) and only what the gateway uses is
 * parsed: `model`, `stream`, `max_tokens`, `speed`, and the messages of the newest turn — those after the last
 * `assistant` message, which is what the policy judges (gateway-policy.ts). Each field read is checked with a message
 * naming it (ARCHITECTURE "No zod on the gateway hot path").
 */
export interface MessagesBody {
  raw: Buffer;
  model: string;
  stream: boolean;
  /** 0 when absent (count_tokens has none; the upstream judges a missing one on /v1/messages). */
  maxTokens: number;
  /** Fast mode: the request's `speed` is "fast" (OTel reports the same value as `speed`, claude-surfaces.md §1.6). */
  fast: boolean;
  messageCount: number;
  /**
   * Claude Code's `metadata.user_id`, a JSON string `{"device_id","account_uuid","session_id"}`
   * (claude-code-observed.md §2): `device_id` is the install id OTel reports as `user.id`. Null when absent or not
   * in that shape.
   */
  claudeCode: { deviceId: string | null; sessionId: string | null } | null;
  /** Index of the newest turn's first message, and its messages, parsed. */
  turnStart: number;
  turn: unknown[];
  /** The body with the newest turn replaced (a redaction): everything before and after it stays byte-identical. */
  withTurn(turn: readonly unknown[]): Buffer;
}

export interface GatewayErrorReplyOnly {
  ok: false;
  error: GatewayErrorReply;
}

function fail(message: string): GatewayErrorReplyOnly {
  return { ok: false, error: badRequest(message) };
}

export function readMessagesBody(raw: Buffer | undefined): { ok: true; body: MessagesBody } | GatewayErrorReplyOnly {
  if (!raw || raw.length === 0) {
    return fail('The request body is empty: a JSON object with model and messages is required.');
  }
  try {
    return read(raw);
  } catch (err) {
    if (err instanceof JsonScanError || err instanceof SyntaxError) {
      return fail(`The request body is not valid JSON: ${err.message}`);
    }
    throw err;
  }
}

/** Claude Code's tool schemas and system blocks, the same on every turn (repeated-values.ts). */
const repeated = new RepeatedValues(new Set(['tools', 'system']));

function read(b: Buffer): { ok: true; body: MessagesBody } | GatewayErrorReplyOnly {
  const start = skipSpace(b, 0);
  if (b[start] !== 0x7b) {
    if (
      start < b.length &&
      (b[start] === 0x5b || b[start] === 0x22 || /[-0-9tfn]/.test(String.fromCharCode(b[start] ?? 0)))
    ) {
      return fail('The request body must be a JSON object.');
    }
    throw new JsonScanError(`unexpected ${start < b.length ? `'${String.fromCharCode(b[start] as number)}'` : 'end'}`);
  }
  // The messages array is read once: its element spans are kept as it is passed (the last `messages` wins, as in
  // JSON.parse, because each one read replaces the last).
  let elements: Span[] = [];
  const { members, end } = objectMembers(b, start, (key, at) => {
    if (key === 'messages' && b[at] === 0x5b) {
      const array = arrayElements(b, at);
      elements = array.elements;
      return array.end;
    }
    return repeated.skip(key, b, at);
  });
  if (skipSpace(b, end) !== b.length) throw new JsonScanError('unexpected data after the object');
  const value = (name: string): unknown => {
    const span = members.get(name);
    return span ? parseSpan(b, span) : undefined;
  };
  const model = value('model');
  if (typeof model !== 'string' || model === '') return fail('model: Field required (a model id string).');
  const messagesSpan = members.get('messages');
  if (!messagesSpan || b[messagesSpan.start] !== 0x5b) return fail('messages: Field required (an array of messages).');
  const stream = value('stream');
  if (stream !== undefined && typeof stream !== 'boolean') return fail('stream: must be a boolean.');
  const max = value('max_tokens');
  if (max !== undefined && (typeof max !== 'number' || !Number.isInteger(max) || max < 0)) {
    return fail('max_tokens: must be a non-negative integer.');
  }
  const turnStart = newestTurnStart(b, elements);
  const turnSpans = elements.slice(turnStart);
  const turn = turnSpans.map((s) => parseSpan(b, s));
  return {
    ok: true,
    body: {
      raw: b,
      model,
      stream: stream === true,
      maxTokens: typeof max === 'number' ? max : 0,
      fast: value('speed') === 'fast',
      messageCount: elements.length,
      claudeCode: claudeCodeUser(value('metadata')),
      turnStart,
      turn,
      withTurn: (replacement) => splice(b, turnSpans, replacement),
    },
  };
}

const DEVICE_ID = /^[0-9a-f]{64}$/;

/** `metadata.user_id` as Claude Code writes it; any other shape (an SDK app's own user id) is not Claude Code's. */
function claudeCodeUser(metadata: unknown): MessagesBody['claudeCode'] {
  const userId = (metadata as { user_id?: unknown } | null)?.user_id;
  if (typeof userId !== 'string' || !userId.startsWith('{') || userId.length > 1024) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(userId);
  } catch {
    return null;
  }
  const o = parsed as { device_id?: unknown; session_id?: unknown } | null;
  if (typeof o !== 'object' || o === null) return null;
  const deviceId = typeof o.device_id === 'string' && DEVICE_ID.test(o.device_id) ? o.device_id : null;
  const sessionId =
    typeof o.session_id === 'string' && o.session_id !== '' && o.session_id.length <= 200 ? o.session_id : null;
  return deviceId || sessionId ? { deviceId, sessionId } : null;
}

/** The first message after the last `assistant` one; roles are read without parsing the messages. */
function newestTurnStart(b: Buffer, elements: readonly Span[]): number {
  for (let i = elements.length - 1; i >= 0; i--) {
    const el = elements[i] as Span;
    if (b[el.start] !== 0x7b) continue;
    const role = objectMembers(b, el.start).members.get('role');
    if (role && parseSpan(b, role) === 'assistant') return i + 1;
  }
  return 0;
}

/** The newest turn's bytes replaced by `replacement`, serialised; nothing else in the body changes. */
function splice(b: Buffer, turn: readonly Span[], replacement: readonly unknown[]): Buffer {
  const first = turn[0];
  const last = turn[turn.length - 1];
  if (!first || !last) return b;
  const json = replacement.map((m) => JSON.stringify(m)).join(',');
  return Buffer.concat([b.subarray(0, first.start), Buffer.from(json, 'utf8'), b.subarray(last.end)]);
}
