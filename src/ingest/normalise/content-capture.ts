import type { ContentCaptureMode } from '../../config/schema.js';

/**
 * Content-bearing attributes (prompt text, responses, tool inputs, raw API bodies, Bash commands). Under capture
 * mode `off` they are removed before anything is stored (only their lengths and the names extracted into columns
 * survive); under `redacted` (the default) they pass through the detectors first (content-redaction.ts); under
 * `full` they are stored as received. The CLI's own "<REDACTED>" placeholder is not content.
 */
export const CONTENT_KEYS = [
  'prompt',
  'prompt_text',
  'user_prompt',
  'response',
  'tool_input',
  'tool_parameters',
  'body',
  'full_command',
  'bash_command',
  'output',
  'last_assistant_message',
  'gen_ai.input.messages',
  'gen_ai.output.messages',
  'gen_ai.system_instructions',
  'gen_ai.tool.call.arguments',
  'gen_ai.tool.call.result',
  'managed_settings.settings',
] as const;

const CONTENT_SET: ReadonlySet<string> = new Set(CONTENT_KEYS);

export function isContentKey(key: string): boolean {
  return CONTENT_SET.has(key);
}

const PLACEHOLDERS = new Set(['<REDACTED>', '[REDACTED]', '']);

/**
 * The one piece of text stored in `events.content` (what thread search reads): the first real content value of the
 * event's stored attributes — already redacted under `redacted`, none under `off`.
 */
export function pickContent(a: Record<string, unknown>, mode: ContentCaptureMode): string | null {
  if (mode === 'off') return null;
  for (const key of ['prompt_text', 'prompt', 'response', 'tool_input', 'user_prompt', 'body']) {
    const v = a[key];
    if (typeof v === 'string' && !PLACEHOLDERS.has(v)) return v;
  }
  return null;
}
