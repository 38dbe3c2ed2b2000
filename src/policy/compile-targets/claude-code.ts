import type { CompiledPolicy } from '../compile.js';
import type { CompileNote } from './compile-note.js';
import {
  analyseEndpointPolicy,
  CLAUDE_CODE_SCOPE,
  hookStages,
  type EndpointAnalysis,
  type HookEvent,
} from './endpoint-rules.js';
import {
  managedSettingsSchema,
  type HookGroup,
  type HookHandler,
  type ManagedSettings,
} from './managed-settings.schema.js';
import { renderRegFile } from './registry-file.js';
import { baseUrl, bearerToken, uuid, type OtlpProtocol } from './target-options.js';

/**
 * `steward policy compile --target claude-code`: a policy → Claude Code managed settings (`managed-settings.json`).
 * Claude Code enforces what it can by itself (permission rules, MCP server lists, models — endpoint-rules.ts decides
 * which rules qualify), Steward's hooks are installed for everything else, people's own hooks are switched off, and
 * telemetry is locked to Steward. Pure: the caller reads the policy and writes the file.
 */
export interface ClaudeCodeOptions {
  /** Steward's base URL: the hooks ask it, and it is the default OTLP endpoint. */
  server: string;
  /** `command`: `steward hook` on the machine (keeps deciding offline with its cached policy); `http`: Claude Code
   *  POSTs to `<server>/hooks/claude-code`. Default command. */
  hook?: 'command' | 'http';
  /** How Claude Code starts Steward's command hook. Default `steward`. */
  stewardCommand?: string;
  /** Default: `server` (Steward serves OTLP/HTTP on its HTTP port); required for grpc (port 4317). */
  otlpEndpoint?: string;
  otlpProtocol?: OtlpProtocol;
  /** An ingest token: sent with telemetry and hook calls. Without it the file carries no credential. */
  token?: string | null;
  /** `OTEL_LOG_TOOL_DETAILS=1` (tool parameters, MCP server and tool names in telemetry). Default true. */
  toolDetails?: boolean;
  /** `forceLoginOrgUUID`: sign-in only to this claude.ai organisation. */
  orgUuid?: string | null;
  /** Seconds Claude Code waits for a hook. Default 10 (the command hook waits 1.5 s for the server, then decides
   *  with its cached policy). */
  hookTimeoutSeconds?: number;
}

export interface ClaudeCodeResult {
  settings: ManagedSettings;
  notes: CompileNote[];
}

/** The environment variable the hooks read the ingest token from (src/cli/hook.command.ts). */
export const HOOK_TOKEN_ENV = 'STEWARD_HOOK_TOKEN';
/** `HKLM\SOFTWARE\Policies\ClaudeCode`, value `Settings` (REG_SZ JSON) [claude-surfaces.md §4.2]. */
export const CLAUDE_CODE_REGISTRY_KEY = 'HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\ClaudeCode';

/** The command line goes through a shell (bash or PowerShell), so only characters neither quotes are accepted. */
const SHELL_SAFE = /^[A-Za-z0-9:/._~%+@=-]+$/;

export function compileClaudeCode(policy: CompiledPolicy, options: ClaudeCodeOptions): ClaudeCodeResult {
  const server = baseUrl(options.server, '--server');
  const protocol = options.otlpProtocol ?? 'http/protobuf';
  if (protocol === 'grpc' && options.otlpEndpoint === undefined) {
    throw new Error("OTLP over gRPC needs --otlp-endpoint (Steward's gRPC port, 4317 by default)");
  }
  const otlpEndpoint = baseUrl(options.otlpEndpoint ?? server, '--otlp-endpoint');
  const token = options.token ? bearerToken(options.token) : null;
  const timeout = options.hookTimeoutSeconds ?? 10;
  const a = analyseEndpointPolicy(policy, CLAUDE_CODE_SCOPE);

  const handler = (event: HookEvent): HookHandler => {
    // SessionStart cannot block (claude-surfaces.md §3.3): failing closed there would only stop sessions starting.
    const block = event !== 'SessionStart' && a.failClosed[event];
    if (options.hook === 'http') {
      return {
        type: 'http',
        url: `${server}/hooks/claude-code`,
        headers: { Authorization: `Bearer $${HOOK_TOKEN_ENV}` },
        allowedEnvVars: [HOOK_TOKEN_ENV],
        timeout,
        ...(block ? { onFailure: 'block' as const } : {}),
      };
    }
    if (!SHELL_SAFE.test(server))
      throw new Error(`--server "${server}" has characters a hook command line would need to quote`);
    const command = `${options.stewardCommand ?? 'steward'} hook --server ${server}${block ? ' --on-failure closed' : ''}`;
    return { type: 'command', command, timeout, ...(block ? { onFailure: 'block' as const } : {}) };
  };
  const group = (event: HookEvent): HookGroup[] => {
    const matcher = event === 'PreToolUse' || event === 'PostToolUse' ? { matcher: '*' } : {};
    return [{ ...matcher, hooks: [handler(event)] }];
  };

  const { allow, ask, deny } = a.permissions;
  const settings: ManagedSettings = {
    permissions: {
      ...(allow.length > 0 ? { allow } : {}),
      ...(ask.length > 0 ? { ask } : {}),
      ...(deny.length > 0 ? { deny } : {}),
      disableBypassPermissionsMode: 'disable',
    },
    ...(a.allowedMcpServers !== null
      ? { allowedMcpServers: a.allowedMcpServers.map((serverName) => ({ serverName })) }
      : {}),
    ...(a.deniedMcpServers.length > 0
      ? { deniedMcpServers: a.deniedMcpServers.map((serverName) => ({ serverName })) }
      : {}),
    ...(a.availableModels !== null ? { availableModels: a.availableModels } : {}),
    hooks: Object.fromEntries((Object.keys(hookStages) as HookEvent[]).map((e) => [e, group(e)])),
    allowManagedHooksOnly: true,
    ...(options.hook === 'http' ? { allowedHttpHookUrls: [`${server}/hooks/claude-code`] } : {}),
    env: {
      CLAUDE_CODE_ENABLE_TELEMETRY: '1',
      // Without it Claude Code reaches api.anthropic.com even with a custom base URL (claude-code-observed.md §8).
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      // Managed selectors too: otherwise a person can still set `none` (claude-surfaces.md §1.3).
      OTEL_METRICS_EXPORTER: 'otlp',
      OTEL_LOGS_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
      OTEL_EXPORTER_OTLP_ENDPOINT: otlpEndpoint,
      ...(token ? { OTEL_EXPORTER_OTLP_HEADERS: `Authorization=Bearer ${token}` } : {}),
      // MCP server and tool names reach telemetry only with tool details (claude-code-observed.md §8).
      ...(options.toolDetails !== false ? { OTEL_LOG_TOOL_DETAILS: '1' } : {}),
      ...(token ? { [HOOK_TOKEN_ENV]: token } : {}),
    },
    ...(options.orgUuid ? { forceLoginOrgUUID: uuid(options.orgUuid, '--org-uuid') } : {}),
  };

  const checked = managedSettingsSchema.safeParse(settings);
  if (!checked.success) {
    // A bug, not bad input: every input was validated above.
    throw new Error(`compiled managed settings fail the documented keys: ${checked.error.message}`);
  }
  return { settings: checked.data, notes: claudeCodeNotes(a, token !== null) };
}

function claudeCodeNotes(a: EndpointAnalysis, hasToken: boolean): CompileNote[] {
  const notes: CompileNote[] = [];
  const file = (text: string) => notes.push({ rule: null, text });
  if (a.shadow) {
    file('shadow mode (defaults.shadow): no permission, MCP or model restriction compiled and no hook fails closed');
  }
  for (const r of a.rules) {
    const note = (text: string) => notes.push({ rule: r.id, text });
    if (r.notForTarget) {
      note(`not for Claude Code: ${r.notForTarget}`);
      continue;
    }
    const compiled: string[] = [];
    for (const list of ['deny', 'ask', 'allow'] as const) {
      const rules = r.permissions.filter((p) => p.list === list).map((p) => p.rule);
      if (rules.length > 0) compiled.push(`permissions.${list} (${preview(rules)})`);
    }
    if (r.deniedMcpServers.length > 0) compiled.push(`deniedMcpServers (${preview(r.deniedMcpServers)})`);
    if (r.deniesAllMcp) compiled.push('allowedMcpServers: [] (every MCP server blocked)');
    if (compiled.length > 0)
      note(a.shadow ? `shadow mode: not compiled (${compiled.join('; ')})` : compiled.join('; '));
    for (const why of r.leftToHooks) note(`left to the hooks: ${why}`);
  }
  if (a.allowedMcpServers !== null && !a.rules.some((r) => r.deniesAllMcp)) {
    file(
      a.allowedMcpServers.length > 0
        ? `allowedMcpServers: only ${preview(a.allowedMcpServers)} (defaults.action: deny)`
        : 'allowedMcpServers: [] (defaults.action: deny, and no rule lets an MCP server through)',
    );
  }
  if (a.availableModels !== null) file(`availableModels: ${preview(a.availableModels)} (defaults.action: deny)`);
  if (a.mcpAllowlistNote) file(a.mcpAllowlistNote);
  if (a.modelAllowlistNote) file(a.modelAllowlistNote);
  const closed = (Object.keys(a.failClosed) as HookEvent[]).filter((e) => e !== 'SessionStart' && a.failClosed[e]);
  file(
    closed.length > 0
      ? `hooks fail closed (onFailure: "block") on ${closed.join(', ')}; open elsewhere`
      : 'hooks fail open on every event (no rule is onFailure: closed)',
  );
  if (!hasToken) {
    file(
      `no token: the file carries no credential, so Steward refuses its telemetry and hook calls until ` +
        `${HOOK_TOKEN_ENV} and OTEL_EXPORTER_OTLP_HEADERS are set (give --token or --token-file)`,
    );
  }
  return notes;
}

function preview(items: readonly string[]): string {
  const shown = items.slice(0, 3).join(', ');
  return items.length > 3 ? `${shown}, … ${items.length} in all` : shown;
}

/** `managed-settings.json` as Claude Code reads it from /etc/claude-code, /Library/Application Support/ClaudeCode
 *  or C:\Program Files\ClaudeCode (claude-surfaces.md §4.2). */
export function renderClaudeCodeJson(settings: ManagedSettings): string {
  return `${JSON.stringify(settings, null, 2)}\n`;
}

/** The same settings as a `.reg` file: the whole JSON in the documented `Settings` string value. */
export function renderClaudeCodeReg(settings: ManagedSettings): string {
  return renderRegFile(CLAUDE_CODE_REGISTRY_KEY, [['Settings', { type: 'sz', value: JSON.stringify(settings) }]]);
}
