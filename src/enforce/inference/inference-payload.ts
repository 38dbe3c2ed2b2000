import { z } from 'zod';
import type { Surface } from '../../contracts/canonical.js';
import { collectText, type CollectedText } from '../content-text.js';

/**
 * The body Claude Enterprise inference hooks POST for each governed prompt (claude-surfaces.md §5.9):
 * `type:"prompt"`, `request_id`, `tenant_id`, `actor{type, id, email_address}`, `source{application}`,
 * `session_id`, `model`, `messages[]` (content blocks `text`, `tool_use`, `tool_result`, `attachment`; no system prompt
 * or tool definitions), `metadata{}`. Loose objects: fields Anthropic adds in the beta must not turn into 400s
 * (which their failure mode may turn into blocks). Only `request_id` and `messages` are required.
 */
const block = z.looseObject({ type: z.string().max(100) });
const message = z.looseObject({
  role: z.string().max(100).optional(),
  content: z.union([z.string(), z.array(block)]),
});

export const inferenceRequestSchema = z.looseObject({
  type: z.string().max(100).optional(),
  request_id: z.string().min(1).max(500),
  tenant_id: z.string().max(500).optional(),
  actor: z
    .looseObject({
      type: z.string().max(100).optional(),
      id: z.string().max(500).optional(),
      email_address: z.string().max(500).optional(),
    })
    .optional(),
  source: z.looseObject({ application: z.string().max(100).optional() }).optional(),
  session_id: z.string().max(500).optional(),
  model: z.string().max(200).optional(),
  messages: z.array(message),
  metadata: z.record(z.string(), z.unknown()).optional(),
});

export type InferenceRequest = z.infer<typeof inferenceRequestSchema>;

/** Block fields that are not content: names, ids and types are not what people paste secrets into. */
const NOT_CONTENT = new Set(['type', 'id', 'tool_use_id', 'role', 'media_type', 'cache_control']);

/** Every text the request carries (text blocks, tool inputs and results, attachment text), for the detectors. */
export function inferenceText(req: InferenceRequest): CollectedText {
  return collectText(
    req.messages.map((m) => m.content),
    { skipKeys: NOT_CONTENT },
  );
}

/**
 * `source.application` → Steward surface. Only `claude-ai` and `claude-code` are documented (§5.9); any other value
 * counts as claude.ai and is kept as written in the recorded decision (`application`).
 */
export function inferenceSurface(application: string | undefined): Surface {
  return application === 'claude-code' ? 'claude_code' : 'claude_ai';
}
