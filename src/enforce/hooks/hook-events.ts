/**
 * The Claude Code hook events Steward decides on (claude-surfaces.md §3.3); every other event is answered with no
 * output. Kept apart from the zod schemas so the command hook's fast path can check an event without loading zod.
 */
export const decidedEvents = ['UserPromptSubmit', 'PreToolUse', 'PostToolUse', 'SessionStart'] as const;
export type DecidedEvent = (typeof decidedEvents)[number];

export function isDecidedEvent(name: unknown): name is DecidedEvent {
  return typeof name === 'string' && (decidedEvents as readonly string[]).includes(name);
}
