import { z } from 'zod';
import type { CompiledPolicy } from '../compile.js';
import type { CompileNote } from './compile-note.js';
import { analyseEndpointPolicy, CLAUDE_DESKTOP_SCOPE } from './endpoint-rules.js';
import { renderMobileconfig, type PlistValue } from './mobileconfig.js';
import { renderRegFile, type RegValue } from './registry-file.js';
import { baseUrl, bearerToken, uuid } from './target-options.js';

/**
 * `steward policy compile --target claude-desktop`: the Claude Desktop / Cowork managed keys a policy and the
 * deployment options determine, as JSON, a macOS configuration profile or a Windows `.reg` file. Only keys Steward's
 * reference documents are written (../shared/reference/claude-surfaces.md):
 *   §2.4 [SUP-12622667]  preference domain `com.anthropic.claudefordesktop`, `HKLM\SOFTWARE\Policies\Claude`;
 *                        `allowedWorkspaceFolders` (string[] as JSON), `isLocalDevMcpEnabled`,
 *                        `isDesktopExtensionEnabled`, `forceLoginOrgUUID`
 *   §2.3 [CD-TEL]        `otlpEndpoint` (base URL), `otlpProtocol`, `otlpHeaders` (JSON object as a string) —
 *                        documented for Claude Desktop on third-party providers; on Anthropic's plans Cowork's export
 *                        is configured in Admin settings > Cowork (§2.2)
 * Desktop has no hooks and no permission-rule keys, and per-connector policy is set server-side (Organization
 * settings > Connectors), so most rules stay with Claude Enterprise inference hooks and Steward's gateway; the notes
 * say which.
 */
export interface ClaudeDesktopOptions {
  /** Steward's base URL: the default OTLP endpoint. */
  server?: string | null;
  otlpEndpoint?: string | null;
  /** Cowork does not export over gRPC (§2.2), so only the HTTP protocols. Default http/protobuf. */
  otlpProtocol?: 'http/protobuf' | 'http/json';
  token?: string | null;
  /** The folders people may connect (`allowedWorkspaceFolders`). */
  workspaceFolders?: readonly string[];
  orgUuid?: string | null;
}

export const desktopKeysSchema = z.strictObject({
  allowedWorkspaceFolders: z.array(z.string().min(1)).min(1).optional(),
  isLocalDevMcpEnabled: z.boolean().optional(),
  isDesktopExtensionEnabled: z.boolean().optional(),
  forceLoginOrgUUID: z.uuid().optional(),
  otlpEndpoint: z.url({ protocol: /^https?$/ }).optional(),
  otlpProtocol: z.enum(['http/protobuf', 'http/json']).optional(),
  otlpHeaders: z.record(z.string(), z.string()).optional(),
});
export type DesktopKeys = z.infer<typeof desktopKeysSchema>;

/** How each key is stored: booleans as plist booleans / REG_DWORD (the 1P article's own example writes DWORDs),
 *  strings as strings, and arrays and objects as JSON text ("string[] (JSON)", "JSON object string"). */
const KEY_KIND: Record<keyof DesktopKeys, 'boolean' | 'string' | 'json'> = {
  allowedWorkspaceFolders: 'json',
  isLocalDevMcpEnabled: 'boolean',
  isDesktopExtensionEnabled: 'boolean',
  forceLoginOrgUUID: 'string',
  otlpEndpoint: 'string',
  otlpProtocol: 'string',
  otlpHeaders: 'json',
};

export const DESKTOP_DOMAIN = 'com.anthropic.claudefordesktop';
export const DESKTOP_REGISTRY_KEY = 'HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Claude';
/** Fixed, so a newer profile replaces the installed one (mobileconfig.ts). */
export const DESKTOP_PROFILE_IDENTIFIER = 'steward.policy.claude-desktop';

export function compileClaudeDesktop(
  policy: CompiledPolicy,
  options: ClaudeDesktopOptions,
): { keys: DesktopKeys; notes: CompileNote[] } {
  const a = analyseEndpointPolicy(policy, CLAUDE_DESKTOP_SCOPE);
  const notes: CompileNote[] = [];
  const file = (text: string) => notes.push({ rule: null, text });
  const keys: DesktopKeys = {};

  const folders = [...new Set(options.workspaceFolders ?? [])];
  if (folders.some((f) => f.trim() === '')) throw new Error('--workspace-folder must not be empty');
  if (folders.length > 0) keys.allowedWorkspaceFolders = folders;

  if (a.allowedMcpServers !== null && a.allowedMcpServers.length === 0) {
    // Every MCP server is denied for everyone: no locally added servers, no desktop extensions (packaged servers).
    keys.isLocalDevMcpEnabled = false;
    keys.isDesktopExtensionEnabled = false;
  }
  if (options.orgUuid) keys.forceLoginOrgUUID = uuid(options.orgUuid, '--org-uuid');

  const endpoint = options.otlpEndpoint ?? options.server ?? null;
  if (endpoint !== null) {
    keys.otlpEndpoint = baseUrl(endpoint, options.otlpEndpoint ? '--otlp-endpoint' : '--server');
    keys.otlpProtocol = options.otlpProtocol ?? 'http/protobuf';
    if (options.token) keys.otlpHeaders = { Authorization: `Bearer ${bearerToken(options.token)}` };
    else file('no token: otlpHeaders left out, so Steward refuses the export until a header is configured');
    file(
      'otlpEndpoint/otlpProtocol/otlpHeaders are the documented keys of Claude Desktop on third-party providers; on ' +
        "Anthropic's Team and Enterprise plans set Cowork's OTLP export in Admin settings > Cowork instead",
    );
  }

  if (keys.isLocalDevMcpEnabled === false && !a.rules.some((r) => r.deniesAllMcp)) {
    file('isLocalDevMcpEnabled: false, isDesktopExtensionEnabled: false (defaults.action: deny, no rule allows MCP)');
  }
  for (const r of a.rules) {
    const note = (text: string) => notes.push({ rule: r.id, text });
    if (a.shadow) continue;
    if (r.notForTarget) {
      note(`not for Claude Desktop: ${r.notForTarget}`);
      continue;
    }
    if (r.deniesAllMcp) note('isLocalDevMcpEnabled: false, isDesktopExtensionEnabled: false');
    if (r.deniedMcpServers.length > 0) {
      note(
        `no managed key blocks one MCP server (${r.deniedMcpServers.join(', ')}): set it to Blocked in ` +
          'Organization settings > Connectors, which applies on web, desktop, mobile and Cowork',
      );
    }
    if (r.permissions.length > 0) {
      note('tool permission rules have no Claude Desktop key: inference hooks and the gateway enforce this rule');
    }
  }
  const elsewhere = a.rules.filter(
    (r) => !r.notForTarget && r.permissions.length === 0 && !r.deniesAllMcp && r.deniedMcpServers.length === 0,
  );
  if (elsewhere.length > 0) {
    file(`enforced by inference hooks and the gateway, not by managed keys: ${elsewhere.map((r) => r.id).join(', ')}`);
  }
  if (a.shadow) file('shadow mode (defaults.shadow): no MCP restriction compiled');
  if (a.availableModels !== null) {
    file('no documented Claude Desktop key limits models: use the Models tab of custom roles (Enterprise)');
  }

  const checked = desktopKeysSchema.safeParse(keys);
  if (!checked.success)
    throw new Error(`compiled Claude Desktop keys fail the documented keys: ${checked.error.message}`);
  return { keys: checked.data, notes };
}

function entries(keys: DesktopKeys): [keyof DesktopKeys, NonNullable<DesktopKeys[keyof DesktopKeys]>][] {
  return (Object.keys(KEY_KIND) as (keyof DesktopKeys)[])
    .filter((k) => keys[k] !== undefined)
    .map((k) => [k, keys[k] as NonNullable<DesktopKeys[typeof k]>]);
}

/** The keys as one JSON object, values in their documented types (arrays and objects as JSON, not as text). */
export function renderDesktopJson(keys: DesktopKeys): string {
  return `${JSON.stringify(Object.fromEntries(entries(keys)), null, 2)}\n`;
}

export function renderDesktopMobileconfig(keys: DesktopKeys): string {
  const preferences: Record<string, PlistValue> = {};
  for (const [k, v] of entries(keys)) {
    preferences[k] = KEY_KIND[k] === 'json' ? JSON.stringify(v) : (v as boolean | string);
  }
  return renderMobileconfig({
    domain: DESKTOP_DOMAIN,
    identifier: DESKTOP_PROFILE_IDENTIFIER,
    displayName: 'Claude Desktop policy (Steward)',
    description: 'Managed preferences for Claude Desktop and Cowork, compiled by `steward policy compile`.',
    preferences,
  });
}

export function renderDesktopReg(keys: DesktopKeys): string {
  const values = entries(keys).map(([k, v]): [string, RegValue] => {
    const kind = KEY_KIND[k];
    if (kind === 'boolean') return [k, { type: 'dword', value: v ? 1 : 0 }];
    return [k, { type: 'sz', value: kind === 'json' ? JSON.stringify(v) : (v as string) }];
  });
  return renderRegFile(DESKTOP_REGISTRY_KEY, values);
}
