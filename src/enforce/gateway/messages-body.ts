import { badRequest, type GatewayErrorReply } from './anthropic-error.js';

/**
 * The request fields the gateway reads, from a parsed copy of the body (the bytes forwarded are the client's own,
 * untouched unless a redaction applies). No schema over the whole Messages body: it is the hot path and an open list
 * (claude-surfaces.md §6.2: unknown body fields and `role:"system"` messages mid-conversation must pass), so only the
 * fields read are checked, each with a message naming it (ARCHITECTURE "No zod on the gateway hot path").
 */
export interface MessagesBody {
  /** The parsed copy; mutated only to apply a redaction before re-serialising. */
  value: Record<string, unknown>;
  model: string;
  stream: boolean;
  /** 0 when absent (count_tokens has none; the upstream judges a missing one on /v1/messages). */
  maxTokens: number;
  messages: unknown[];
  /** Fast mode: the request's `speed` is "fast" (OTel reports the same value as `speed`, claude-surfaces.md §1.6). */
  fast: boolean;
}

export function readMessagesBody(raw: Buffer | undefined): { ok: true; body: MessagesBody } | GatewayErrorReplyOnly {
  if (!raw || raw.length === 0)
    return fail('The request body is empty: a JSON object with model and messages is required.');
  let value: unknown;
  try {
    value = JSON.parse(raw.toString('utf8'));
  } catch (err) {
    return fail(`The request body is not valid JSON: ${(err as Error).message}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return fail('The request body must be a JSON object.');
  }
  const o = value as Record<string, unknown>;
  if (typeof o.model !== 'string' || o.model === '') return fail('model: Field required (a model id string).');
  if (!Array.isArray(o.messages)) return fail('messages: Field required (an array of messages).');
  if (o.stream !== undefined && typeof o.stream !== 'boolean') return fail('stream: must be a boolean.');
  const max = o.max_tokens;
  if (max !== undefined && (typeof max !== 'number' || !Number.isInteger(max) || max < 0)) {
    return fail('max_tokens: must be a non-negative integer.');
  }
  return {
    ok: true,
    body: {
      value: o,
      model: o.model,
      stream: o.stream === true,
      maxTokens: typeof max === 'number' ? max : 0,
      messages: o.messages,
      fast: o.speed === 'fast',
    },
  };
}

export interface GatewayErrorReplyOnly {
  ok: false;
  error: GatewayErrorReply;
}

function fail(message: string): GatewayErrorReplyOnly {
  return { ok: false, error: badRequest(message) };
}
