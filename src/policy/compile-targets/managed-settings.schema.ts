import { z } from 'zod';

/**
 * The Claude Code managed-settings keys that `steward policy compile --target claude-code` writes — those and no
 * others. `compileClaudeCode` parses its own output with this schema before returning it, so output that fails it is
 * a compiler bug, never a file handed to an administrator. Every key says where it is documented:
 *   [surfaces §x]  ../shared/reference/claude-surfaces.md (Anthropic's documentation, read 2026-08-22)
 *   [observed §x]  ../shared/reference/claude-code-observed.md (what Claude Code 2.1.329 did with it)
 * Unknown keys are errors (strict objects), so a misspelt key cannot slip through.
 */

/** `Tool` or `Tool(specifier)`, the permission-rule syntax [surfaces §4.3]. */
const permissionRule = z
  .string()
  .regex(/^[A-Za-z0-9_*-]+(\(.+\))?$/s, 'a permission rule is Tool or Tool(specifier)')
  .max(2000);

/** MCP server match: exactly one of serverName, serverCommand (argv array) or serverUrl [surfaces §4.3]. */
const mcpServerEntry = z.union([
  z.strictObject({ serverName: z.string().min(1).max(500) }),
  z.strictObject({ serverCommand: z.array(z.string()).min(1) }),
  z.strictObject({ serverUrl: z.string().min(1) }),
]);

/** `onFailure: "block"`: a hook that fails or times out blocks [observed §4: command hooks; Steward's own run of
 *  2.1.329 showed the same for an http hook whose server refused the connection, see docs/managed-settings.md]. */
const onFailure = z.literal('block').optional();
/** Seconds [surfaces §3.1]. */
const timeout = z.number().int().positive().max(600).optional();

/** Handler types `command` and `http` and their fields [surfaces §3.1]. */
const hookHandler = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('command'), command: z.string().min(1), timeout, onFailure }),
  z.strictObject({
    type: z.literal('http'),
    url: z.url({ protocol: /^https?$/ }),
    headers: z.record(z.string(), z.string()).optional(),
    allowedEnvVars: z.array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/)).optional(),
    timeout,
    onFailure,
  }),
]);

/** `{"matcher": "<pattern>", "hooks": [...]}`; no matcher on events that have none [surfaces §3.1, §3.3]. */
const hookGroup = z.strictObject({ matcher: z.string().optional(), hooks: z.array(hookHandler).min(1) });
const hookGroups = z.array(hookGroup).min(1).optional();

export const managedSettingsSchema = z.strictObject({
  /** `permissions.allow|ask|deny` and `permissions.disableBypassPermissionsMode: "disable"` [surfaces §4.3]; a
   *  managed deny beat `--allowedTools`, and disabling bypass made `--dangerously-skip-permissions` a no-op
   *  [observed §5]. */
  permissions: z.strictObject({
    allow: z.array(permissionRule).min(1).optional(),
    ask: z.array(permissionRule).min(1).optional(),
    deny: z.array(permissionRule).min(1).optional(),
    disableBypassPermissionsMode: z.literal('disable'),
  }),
  /** Deny wins; an empty allow array blocks every server [surfaces §4.3]; a denied server is not loaded [observed §5]. */
  allowedMcpServers: z.array(mcpServerEntry).optional(),
  deniedMcpServers: z.array(mcpServerEntry).min(1).optional(),
  /** Managed `availableModels` is applied as-is [surfaces §4.1, §4.3]. */
  availableModels: z.array(z.string().min(1)).min(1).optional(),
  /** The four events Steward decides on [surfaces §3.3; docs/enforcement.md]. */
  hooks: z.strictObject({
    SessionStart: hookGroups,
    UserPromptSubmit: hookGroups,
    PreToolUse: hookGroups,
    PostToolUse: hookGroups,
  }),
  /** Blocks user, project, local and plugin hooks [surfaces §3.1, §4.3]; managed hooks still ran under `--bare`,
   *  `--safe-mode` and `disableAllHooks` [observed §5]. */
  allowManagedHooksOnly: z.literal(true),
  /** URL patterns (`*` wildcard) HTTP hooks may target [surfaces §3.1, §4.3]. */
  allowedHttpHookUrls: z.array(z.string().min(1)).min(1).optional(),
  /** Environment for the session: telemetry locked to Steward [surfaces §1.1, §1.3]; managed `env` alone switched
   *  telemetry on and beat user settings [observed §5]. */
  env: z.record(z.string().regex(/^[A-Z_][A-Z0-9_]*$/), z.string()),
  /** Sign-in restricted to the organisation [surfaces §4.3]. */
  forceLoginOrgUUID: z.uuid().optional(),
});

export type ManagedSettings = z.infer<typeof managedSettingsSchema>;
export type HookHandler = z.infer<typeof hookHandler>;
export type HookGroup = z.infer<typeof hookGroup>;
export type McpServerEntry = z.infer<typeof mcpServerEntry>;
