import { aliasKinds, type Alias, type IdentityHints, type SessionHints } from '../../contracts/canonical.js';
import { identifier, str } from '../otlp/values.js';

/**
 * Extracts who is behind a record. Claude Code copies OTEL_RESOURCE_ATTRIBUTES onto every record, but the user
 * identifiers live on the record, and custom attributes are often missing on metrics (reference §1.4, observed §3),
 * so callers pass the merged resource+record attributes.
 */
const DEPARTMENT_KEYS = ['department', 'org.department', 'user.department'];
const TEAM_KEYS = ['team.id', 'team', 'team.name', 'user.team'];
const COST_CENTER_KEYS = ['cost_center', 'cost.center', 'costcenter', 'cost_centre'];

/** Every attribute `identityHints` reads: records that agree on all of them get the same hints (memo key). */
export const IDENTITY_ATTRIBUTE_KEYS: readonly string[] = [
  ...aliasKinds,
  ...DEPARTMENT_KEYS,
  ...TEAM_KEYS,
  ...COST_CENTER_KEYS,
  'steward.demo',
];

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
  for (const kind of aliasKinds) {
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
