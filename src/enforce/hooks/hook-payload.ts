import { z } from 'zod';
import { isDecidedEvent } from './hook-events.js';

/**
 * The JSON Claude Code writes to a command hook's stdin and POSTs to an `http` hook (the same body either way;
 * claude-code-observed.md §4, claude-surfaces.md §3.2–3.3, captures in shared/fixtures/claude-code/hooks/stdin).
 * Only what Steward decides on is required: the CLI adds fields between versions (`prompt_id` came in 2.1.196,
 * `effort` later), so objects are loose and every field Steward does not need is optional. A hook that refused a
 * newer CLI's payload would turn into a fail-closed block of every tool call.
 */
const id = z.string().min(1).max(1000);

const common = {
  session_id: id,
  hook_event_name: z.string().min(1).max(100),
  transcript_path: z.string().optional(),
  cwd: z.string().optional(),
  prompt_id: id.optional(),
  permission_mode: z.string().optional(),
  effort: z.looseObject({ level: z.string().optional() }).optional(),
  agent_id: z.string().optional(),
  agent_type: z.string().optional(),
};

const mcpServer = z.looseObject({ name: z.string(), source: z.string().optional() }).optional();
const toolInput = z.record(z.string(), z.unknown());

export const userPromptSubmitSchema = z.looseObject({
  ...common,
  hook_event_name: z.literal('UserPromptSubmit'),
  prompt: z.string(),
});

export const preToolUseSchema = z.looseObject({
  ...common,
  hook_event_name: z.literal('PreToolUse'),
  tool_name: z.string().min(1).max(500),
  tool_input: toolInput,
  tool_use_id: id.optional(),
  mcp_server: mcpServer,
});

export const postToolUseSchema = z.looseObject({
  ...common,
  hook_event_name: z.literal('PostToolUse'),
  tool_name: z.string().min(1).max(500),
  tool_input: toolInput.optional(),
  /** Bash `{stdout, stderr, interrupted, …}`, an MCP content array, a string, an Agent result object… */
  tool_response: z.unknown(),
  tool_use_id: id.optional(),
  duration_ms: z.number().optional(),
  mcp_server: mcpServer,
});

export const sessionStartSchema = z.looseObject({
  ...common,
  hook_event_name: z.literal('SessionStart'),
  /** `startup` | `resume` | `clear` | `compact` | `fork` */
  source: z.string().optional(),
  model: z.string().optional(),
});

export type UserPromptSubmitPayload = z.infer<typeof userPromptSubmitSchema>;
export type PreToolUsePayload = z.infer<typeof preToolUseSchema>;
export type PostToolUsePayload = z.infer<typeof postToolUseSchema>;
export type SessionStartPayload = z.infer<typeof sessionStartSchema>;

export type HookPayload = UserPromptSubmitPayload | PreToolUsePayload | PostToolUsePayload | SessionStartPayload;

const schemas = {
  UserPromptSubmit: userPromptSubmitSchema,
  PreToolUse: preToolUseSchema,
  PostToolUse: postToolUseSchema,
  SessionStart: sessionStartSchema,
} as const;

export type ParsedHook =
  | { ok: true; decided: true; payload: HookPayload }
  | { ok: true; decided: false; event: string }
  | { ok: false; event: string | null; message: string };

/**
 * A hook body (already JSON-parsed) → a typed payload. `event` on failure is the `hook_event_name` when one could be
 * read, so the caller can still answer in that event's shape; the message names the field at fault.
 */
export function parseHookPayload(value: unknown): ParsedHook {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, event: null, message: 'hook input must be a JSON object' };
  }
  const name = (value as { hook_event_name?: unknown }).hook_event_name;
  if (typeof name !== 'string' || name === '') {
    return { ok: false, event: null, message: 'hook input has no hook_event_name' };
  }
  // Events Steward does not decide on are never a failure, whatever their shape: an answer to them could only do
  // harm (`{"decision":"block"}` on Stop would keep Claude working instead of stopping it).
  if (!isDecidedEvent(name)) return { ok: true, decided: false, event: name };
  const parsed = schemas[name].safeParse(value);
  if (!parsed.success) return failure(name, parsed.error);
  return { ok: true, decided: true, payload: parsed.data };
}

function failure(event: string, error: z.ZodError): ParsedHook {
  const issue = error.issues[0];
  const where = issue && issue.path.length ? issue.path.join('.') : '(root)';
  return { ok: false, event, message: `invalid ${event} hook input: ${where}: ${issue?.message ?? 'invalid'}` };
}
