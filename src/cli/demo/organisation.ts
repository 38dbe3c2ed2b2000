import {
  CLAUDE_CODE_MCP_SERVERS,
  COWORK_CONNECTORS,
  DEPARTMENT_PROFILES,
  DEPARTMENTS,
  FIRST_NAMES,
  LAST_NAMES,
  MODEL_MIX,
  TERMINAL_TYPES,
  type DemoModel,
  type Department,
  type Surface,
} from './demo-catalog.js';
import { SeededRandom } from './seeded-random.js';

/**
 * A deterministic synthetic organisation. Everything here is derived from the seed through named forks
 * (`person/<n>`), so person 17 is the same person whether the org has 20 or 200 people.
 */

export const DEMO_EMAIL_DOMAIN = 'demo.example';

export interface DemoPerson {
  readonly index: number;
  readonly displayName: string;
  readonly email: string;
  readonly department: Department;
  readonly teamId: string;
  readonly costCenter: string;
  /** `user.account_uuid` (claude.ai account) and `user.account_id` (tagged `user_01…`, as the Admin APIs use). */
  readonly accountUuid: string;
  readonly accountId: string;
  /** `user.id`: a 64-hex install id per surface (the Cowork VM is a different install from the laptop CLI). */
  readonly deviceIds: Readonly<Record<Surface, string>>;
  readonly surfaces: readonly Surface[];
  /** When the person uses both surfaces: the probability that a given session is Claude Code. */
  readonly claudeCodeShare: number;
  readonly sessionsPerWorkday: number;
  /** Day index in the window on which the person starts using Claude at all. */
  readonly adoptionStartDay: number;
  /** Day index after which the person mostly stops (a stalled adopter), or null. */
  readonly stallAfterDay: number | null;
  readonly utcOffsetHours: number;
  readonly os: { readonly type: 'darwin' | 'linux' | 'windows'; readonly version: string; readonly arch: string };
  readonly terminalType: string;
  /**
   * OAuth sessions carry `user.email`/account ids; API-key sessions carry only `user.id`, so the admin adds
   * `enduser.id` through OTEL_RESOURCE_ATTRIBUTES (claude-surfaces.md §1.4).
   */
  readonly claudeCodeAuth: 'oauth' | 'api_key';
  /** Whether model traffic goes through a gateway (`anthropic.custom_base_url`). */
  readonly customBaseUrl: boolean;
  readonly upgradeLagDays: number;
  readonly modelMix: Readonly<Record<Surface, readonly (readonly [DemoModel, number])[]>>;
  readonly mcpServers: readonly string[];
  readonly coworkConnectors: readonly string[];
  /** `workspace.host_paths` for Cowork: the folders the person connected (a string array on the wire). */
  readonly workspacePaths: readonly string[];
}

export interface DemoOrganisation {
  readonly seed: number;
  readonly days: number;
  /** `organization.id` on every OAuth/Cowork record. */
  readonly organizationId: string;
  /** sha256 of the managed settings the demo org rolls out (reported by `managed_settings_resolved`). */
  readonly managedSettingsSha256: string;
  readonly people: readonly DemoPerson[];
}

export interface OrganisationOptions {
  readonly people: number;
  readonly days: number;
  readonly seed: number;
}

export function generateOrganisation(options: OrganisationOptions): DemoOrganisation {
  if (!Number.isInteger(options.people) || options.people < 1)
    throw new RangeError('people must be a positive integer');
  if (!Number.isInteger(options.days) || options.days < 1) throw new RangeError('days must be a positive integer');
  const root = new SeededRandom(options.seed);
  const departments = assignDepartments(options.people, root.fork('departments'));
  const usedEmails = new Set<string>();
  const people = departments.map((department, index) =>
    generatePerson(index, department, options.days, root.fork(`person/${index}`), usedEmails),
  );
  const orgRandom = root.fork('org');
  return {
    seed: options.seed,
    days: options.days,
    organizationId: orgRandom.uuid(),
    managedSettingsSha256: orgRandom.hex(64),
    people,
  };
}

/**
 * Exact department quotas by largest remainder (so 200 people always give 60 engineers), every department
 * represented once there are at least seven people, then a seeded shuffle so departments interleave.
 */
function assignDepartments(count: number, random: SeededRandom): Department[] {
  const total = DEPARTMENTS.reduce((sum, d) => sum + DEPARTMENT_PROFILES[d].headcount, 0);
  const minimum = count >= DEPARTMENTS.length ? 1 : 0;
  const quotas = DEPARTMENTS.map((department) => {
    const exact = (count * DEPARTMENT_PROFILES[department].headcount) / total;
    return { department, n: Math.max(minimum, Math.floor(exact)), remainder: exact - Math.floor(exact) };
  });
  let assigned = quotas.reduce((sum, q) => sum + q.n, 0);
  const byRemainder = [...quotas].sort((a, b) => b.remainder - a.remainder);
  for (let i = 0; assigned < count; i++, assigned++) (byRemainder[i % byRemainder.length] as (typeof quotas)[0]).n++;
  const bySize = [...quotas].sort((a, b) => b.n - a.n);
  for (let i = 0; assigned > count; i++) {
    const quota = bySize[i % bySize.length] as (typeof quotas)[0];
    if (quota.n > minimum) {
      quota.n--;
      assigned--;
    }
  }
  const list = quotas.flatMap((q) => Array.from({ length: q.n }, () => q.department));
  for (let i = list.length - 1; i > 0; i--) {
    const j = random.int(0, i);
    [list[i], list[j]] = [list[j] as Department, list[i] as Department];
  }
  return list;
}

function generatePerson(
  index: number,
  department: Department,
  days: number,
  random: SeededRandom,
  usedEmails: Set<string>,
): DemoPerson {
  const profile = DEPARTMENT_PROFILES[department];
  const first = random.pick(FIRST_NAMES);
  const last = random.pick(LAST_NAMES);
  const email = uniqueEmail(first, last, usedEmails);
  const teamIndex = random.int(0, profile.teams.length - 1);

  const usesCode = random.chance(profile.claudeCodeAdoption);
  // Everyone uses at least one surface: a licence nobody uses is a different story than a demo can show.
  const usesCowork = !usesCode || random.chance(profile.coworkAdoption);
  const surfaces: Surface[] = [
    ...(usesCode ? (['claude_code'] as const) : []),
    ...(usesCowork ? (['cowork'] as const) : []),
  ];

  // Engineering adopts early and fast; other functions spread over the window (an S-shaped org-wide curve).
  const earliness = department === 'engineering' ? Math.pow(random.next(), 1.8) * 0.5 : random.next() * 0.8;
  const adoptionStartDay = Math.min(days - 1, Math.floor(earliness * days));
  const stalls = random.chance(0.15);
  const stallAfterDay = stalls ? adoptionStartDay + random.int(5, 30) : null;

  const os = pickOs(department, usesCode, random);
  const tilt = random.next();
  return {
    index,
    displayName: `${capitalise(first)} ${capitalise(last)}`,
    email,
    department,
    teamId: profile.teams[teamIndex] as string,
    costCenter: `${profile.costCentrePrefix}-${String(teamIndex + 1).padStart(3, '0')}`,
    accountUuid: random.uuid(),
    accountId: `user_01${random.base62(22)}`,
    deviceIds: { claude_code: random.hex(64), cowork: random.hex(64) },
    surfaces,
    claudeCodeShare: usesCode && usesCowork ? (department === 'engineering' ? 0.8 : 0.3) : usesCode ? 1 : 0,
    sessionsPerWorkday: profile.sessionsPerWorkday * random.logNormal(1, 0.35),
    adoptionStartDay,
    stallAfterDay: stallAfterDay !== null && stallAfterDay < days ? stallAfterDay : null,
    utcOffsetHours: pickUtcOffset(teamIndex, department, random),
    os,
    terminalType: random.weighted(TERMINAL_TYPES),
    claudeCodeAuth: random.chance(0.85) ? 'oauth' : 'api_key',
    customBaseUrl: department === 'engineering' && random.chance(0.3),
    upgradeLagDays: random.int(0, 21),
    // A personal tilt: some people live on the biggest model, others on the cheapest.
    modelMix: {
      claude_code: MODEL_MIX.claude_code.map(([model, weight]) => [model, tiltWeight(model, weight, tilt)] as const),
      cowork: MODEL_MIX.cowork.map(([model, weight]) => [model, tiltWeight(model, weight, tilt)] as const),
    },
    mcpServers: usesCode ? pickSome(Object.keys(CLAUDE_CODE_MCP_SERVERS), random.int(0, 3), random) : [],
    coworkConnectors: usesCowork ? pickSome(Object.keys(COWORK_CONNECTORS), random.int(0, 3), random) : [],
    workspacePaths: workspacePathsFor(first, last, department, os.type, random),
  };
}

function uniqueEmail(first: string, last: string, used: Set<string>): string {
  let candidate = `${first}.${last}@${DEMO_EMAIL_DOMAIN}`;
  for (let n = 2; used.has(candidate); n++) candidate = `${first}.${last}${n}@${DEMO_EMAIL_DOMAIN}`;
  used.add(candidate);
  return candidate;
}

function pickOs(department: Department, usesCode: boolean, random: SeededRandom): DemoPerson['os'] {
  // Cowork is a desktop app for macOS and Windows; Linux only appears for engineers' CLI installs.
  const choices: (readonly [DemoPerson['os']['type'], number])[] =
    usesCode && department === 'engineering'
      ? [
          ['darwin', 70],
          ['linux', 22],
          ['windows', 8],
        ]
      : [
          ['darwin', 62],
          ['windows', 38],
        ];
  const type = random.weighted(choices);
  if (type === 'darwin') return { type, version: random.pick(['24.6.0', '25.1.0', '25.2.0']), arch: 'arm64' };
  if (type === 'linux') return { type, version: random.pick(['6.8.0-79-generic', '6.14.0-33-generic']), arch: 'amd64' };
  return { type, version: random.pick(['10.0.22631', '10.0.26100']), arch: random.chance(0.9) ? 'amd64' : 'arm64' };
}

/** Sales splits by region (team index 0 = EMEA, 1 = Americas); everyone else sits in Europe with a few remote. */
function pickUtcOffset(teamIndex: number, department: Department, random: SeededRandom): number {
  if (department === 'sales' && teamIndex === 1) return random.pick([-5, -6, -8]);
  if (department === 'sales' && teamIndex === 0) return random.pick([0, 1, 2]);
  return random.weighted([
    [1, 60],
    [0, 25],
    [-5, 10],
    [5.5, 5],
  ] as const);
}

function tiltWeight(model: DemoModel, weight: number, tilt: number): number {
  if (model === 'claude-opus-5') return weight * (0.4 + 1.2 * tilt);
  if (model === 'claude-haiku-4-5') return weight * (1.6 - 1.2 * tilt);
  return weight;
}

function pickSome(items: readonly string[], count: number, random: SeededRandom): string[] {
  const pool = [...items];
  const chosen: string[] = [];
  while (chosen.length < count && pool.length > 0)
    chosen.push(pool.splice(random.int(0, pool.length - 1), 1)[0] as string);
  return chosen;
}

function workspacePathsFor(
  first: string,
  last: string,
  department: Department,
  os: DemoPerson['os']['type'],
  random: SeededRandom,
): string[] {
  const home = os === 'windows' ? `C:\\Users\\${first}.${last}` : `/Users/${first}.${last}`;
  const sep = os === 'windows' ? '\\' : '/';
  const folders: Record<Department, readonly string[]> = {
    finance: ['Documents/Finance/Month-end close', 'Documents/Finance/Forecasts'],
    legal: ['Documents/Legal/Contracts', 'Documents/Legal/Policies'],
    operations: ['Documents/Operations/Vendors', 'Documents/Operations/Runbooks'],
    marketing: ['Documents/Marketing/Campaigns', 'Documents/Marketing/Brand'],
    engineering: ['Documents/Engineering/Design docs', 'Documents/Engineering/Postmortems'],
    sales: ['Documents/Sales/Accounts', 'Documents/Sales/Proposals'],
    hr: ['Documents/HR/Hiring', 'Documents/HR/Policies'],
  };
  const choice = folders[department];
  const count = random.chance(0.3) ? 2 : 1;
  return choice.slice(0, count).map((folder) => `${home}${sep}${folder.split('/').join(sep)}`);
}

function capitalise(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}
