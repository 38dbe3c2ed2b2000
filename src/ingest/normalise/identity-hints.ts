import type { Alias, AliasKind, IdentityHints, SessionHints } from '../../contracts/canonical.js';
import { identifier, str } from '../otlp/values.js';

/**
 * Extracts who is behind a record. Claude Code copies OTEL_RESOURCE_ATTRIBUTES onto every record, but the user
 * identifiers live on the record, and custom attributes are often missing on metrics (reference §1.4, observed §3),
 * so callers pass the merged resource+record attributes.
 */
const ALIAS_KEYS: AliasKind[] = [
  'user.email',
  'user.account_uuid',
  'user.account_id',
  'enduser.id',
  'user.id',
  'process.owner',
];

const DEPARTMENT_KEYS = ['department', 'org.department', 'user.department'];
const TEAM_KEYS = ['team.id', 'team', 'team.name', 'user.team'];
const COST_CENTER_KEYS = ['cost_center', 'cost.center', 'costcenter', 'cost_centre'];

export function firstOf(a: Record<string, unknown>, keys: readonly string[]): string | null {
  for (const k of keys) {
    const v = str(a, k);
    if (v !== null) return v;
  }
  return null;
}

export function identityHints(a: Record<string, unknown>): IdentityHints {
  const aliases: Alias[] = [];
  let key = '';
  for (const kind of ALIAS_KEYS) {
    let value = identifier(str(a, kind));
    if (value === null) continue;
    if (kind === 'user.email') value = value.toLowerCase();
    aliases.push({ kind, value });
    key += `${kind}=${value};`;
  }
  const department = firstOf(a, DEPARTMENT_KEYS);
  const team = firstOf(a, TEAM_KEYS);
  const costCenter = firstOf(a, COST_CENTER_KEYS);
  return {
    key,
    aliases,
    email: aliases.find((x) => x.kind === 'user.email')?.value ?? null,
    department,
    team,
    costCenter,
    isDemo: a['steward.demo'] === true || a['steward.demo'] === 'true',
  };
}

export function sessionHints(a: Record<string, unknown>): SessionHints {
  const paths = a['workspace.host_paths'];
  return {
    serviceName: str(a, 'service.name'),
    appVersion: str(a, 'app.version') ?? str(a, 'service.version'),
    entrypoint: str(a, 'app.entrypoint'),
    terminalType: str(a, 'terminal.type'),
    osType: str(a, 'os.type'),
    hostArch: str(a, 'host.arch'),
    workspacePaths: Array.isArray(paths)
      ? paths.filter((p): p is string => typeof p === 'string')
      : typeof paths === 'string'
        ? [paths]
        : null,
  };
}
