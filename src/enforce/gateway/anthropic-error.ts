/**
 * Errors the gateway itself answers, in the Messages API's own format `{"type":"error","error":{"type","message"}}`
 * so Anthropic's SDKs and Claude Code read them as they read the API's (claude-code-observed.md §2: the `message`
 * reaches the user verbatim; a 401/403 reads "Failed to authenticate"; only `x-should-retry: false` stops the CLI's
 * retries). Upstream errors are never rewritten: they pass through byte for byte.
 */
export type AnthropicErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'permission_error'
  | 'not_found_error'
  | 'request_too_large'
  | 'rate_limit_error'
  | 'api_error'
  | 'overloaded_error';

export interface GatewayErrorReply {
  status: number;
  type: AnthropicErrorType;
  message: string;
  headers?: Record<string, string>;
}

export function anthropicErrorBody(type: AnthropicErrorType, message: string): string {
  return JSON.stringify({ type: 'error', error: { type, message } });
}

/** A refusal the client must not retry: a policy deny or an exhausted budget will answer the same next time. */
export const NO_RETRY = { 'x-should-retry': 'false' } as const;

export const badRequest = (message: string): GatewayErrorReply => ({
  status: 400,
  type: 'invalid_request_error',
  message,
  headers: { ...NO_RETRY },
});
