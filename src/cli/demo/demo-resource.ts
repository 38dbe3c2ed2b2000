import { COWORK_RELEASES, type Surface } from './demo-catalog.js';
import type { DemoOrganisation, DemoPerson } from './organisation.js';

/**
 * The OTel resource of one install (person × surface × app version) and the parts of it the client copies onto
 * every record. The attribute order mirrors the capture (claude-code-observed.md §3 "Resource"): the
 * OTEL_RESOURCE_ATTRIBUTES entries first, then host/os, then service.
 */

/** Marks demo data in the store. A string because OTEL_RESOURCE_ATTRIBUTES values are always strings. */
export const DEMO_MARKER_KEY = 'steward.demo';
export const DEMO_MARKER_VALUE = 'true';

export const LOGS_SCOPE_NAME = 'com.anthropic.claude_code.events';
export const METRICS_SCOPE_NAME = 'com.anthropic.claude_code';

/**
 * What the admin put into OTEL_RESOURCE_ATTRIBUTES (managed settings `env`). The client copies these onto every
 * log record and metric point as well as the resource.
 */
export function copiedResourceAttributes(person: DemoPerson, surface: Surface): Record<string, string> {
  const attributes: Record<string, string> = {
    department: person.department,
    'team.id': person.teamId,
    cost_center: person.costCenter,
    [DEMO_MARKER_KEY]: DEMO_MARKER_VALUE,
  };
  // API-key sessions have no account attributes, so the admin attaches identity here (claude-surfaces.md §1.4).
  if (surface === 'claude_code' && person.claudeCodeAuth === 'api_key') attributes['enduser.id'] = person.email;
  return attributes;
}

export function resourceAttributes(person: DemoPerson, surface: Surface, appVersion: string): Record<string, string> {
  const attributes: Record<string, string> = {
    ...copiedResourceAttributes(person, surface),
    'host.arch': person.os.arch,
    'os.type': person.os.type,
    'os.version': person.os.version,
    'service.name': surface === 'claude_code' ? 'claude-code' : 'cowork',
    'service.version': appVersion,
  };
  if (surface === 'cowork') {
    // Seen on Cowork resources (claude-surfaces.md §2.2): the OS login and the 1P deployment mode.
    attributes['process.owner'] = person.email.split('@')[0] ?? person.email;
    attributes['claude.deployment_mode'] = '1p';
  }
  return attributes;
}

/** Scope version: the CLI version for Claude Code; the embedded engine version for Cowork. */
export function scopeVersion(surface: Surface, appVersion: string): string {
  if (surface === 'claude_code') return appVersion;
  return COWORK_RELEASES.find((release) => release.version === appVersion)?.engineVersion ?? appVersion;
}

/**
 * The attributes the client puts on every record of a session after the resource copies (§1.4, §2.2). Claude
 * Code sessions signed in with OAuth carry the account identity; API-key sessions only the install id. Cowork
 * always carries the account, the connected folders and `terminal.type=non-interactive`. Metric points get the
 * Claude Code set as well (there is no event-only attribute in it).
 */
export function sessionAttributes(
  org: DemoOrganisation,
  person: DemoPerson,
  surface: Surface,
  sessionId: string,
): Record<string, string | boolean | string[]> {
  const account = {
    'organization.id': org.organizationId,
    'user.account_uuid': person.accountUuid,
    'user.account_id': person.accountId,
    'user.email': person.email,
  };
  const copied = copiedResourceAttributes(person, surface);
  if (surface === 'claude_code') {
    return {
      ...copied,
      'user.id': person.deviceIds.claude_code,
      'session.id': sessionId,
      ...(person.claudeCodeAuth === 'oauth' ? account : {}),
      'anthropic.provider': 'firstParty',
      'anthropic.custom_base_url': person.customBaseUrl,
      'terminal.type': person.terminalType,
    };
  }
  return {
    ...copied,
    'user.id': person.deviceIds.cowork,
    'session.id': sessionId,
    ...account,
    'workspace.host_paths': [...person.workspacePaths],
    'terminal.type': 'non-interactive',
  };
}
