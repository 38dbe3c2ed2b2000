import { adoptionReport } from '../analytics/adoption.js';
import { costReport } from '../analytics/cost.js';
import { countSessionsActive, listMeetings, policyDecisionCounts } from '../store/forum.repo.js';
import { DEFAULT_ORG } from '../store/policies.repo.js';
import type { Store } from '../store/store.js';
import { cadenceOverview } from './cadence.js';
import { governanceFindings, type Finding } from './governance-findings.js';
import { listObjects } from './governance-objects.js';

/**
 * The forum's standing agenda (docs/governance.md "The forum"), generated from live data for a meeting date:
 *   1. usage: active people, sessions and estimated cost this month (to the meeting day) against last month;
 *   2. incidents and findings: enforcement decisions that denied or redacted since the previous meeting (at most
 *      92 days back; 30 days when there was none), and the open governance findings;
 *   3. new connector requests (connectors `requested`); 4. new skill requests (skills `proposed`);
 *   5. training opt-out posture and 6. retention posture: Steward has no source for the organisation's Claude
 *      account settings, and the agenda says so rather than show a figure it does not have.
 */
const DAY = 86_400_000;
const MAX_PERIOD = 92 * DAY;
const DEFAULT_PERIOD = 30 * DAY;

export interface AgendaContext {
  /** Steward's own content capture mode (config `content.capture`), when the caller knows it. */
  contentCapture?: string;
}

export interface UsageFigures {
  from: string;
  to: string;
  active_people: number;
  sessions: number;
  cost_usd_estimate: number;
}

export interface Agenda {
  date: string;
  forum: { required: boolean; active_seats: number; threshold: number };
  usage: { this_month: UsageFigures; last_month: UsageFigures; cost_note: string };
  incidents: { from: string; to: string; denied: number; redacted: number; since_meeting: string | null };
  findings: { open: number; by_kind: Record<string, number>; items: Finding[] };
  connector_requests: { id: string; name: string; owner: string | null; publisher: unknown; requested_at: string }[];
  skill_requests: { id: string; name: string; owner: string | null; source: unknown; requested_at: string }[];
  training_opt_out: { known: false; note: string };
  retention: { known: false; note: string; steward: string[] };
}

const iso = (ms: number): string => new Date(ms).toISOString();
const monthStart = (ms: number, back = 0): number => {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - back, 1);
};

async function usage(store: Store, from: number, to: number): Promise<UsageFigures> {
  if (to <= from) return { from: iso(from), to: iso(to), active_people: 0, sessions: 0, cost_usd_estimate: 0 };
  const [adoption, cost, sessions] = await Promise.all([
    adoptionReport(store, { from, to }),
    costReport(store, { from, to, groupBy: 'person', filters: {}, now: to }),
    countSessionsActive(store.db, DEFAULT_ORG, from, to),
  ]);
  return {
    from: iso(from),
    to: iso(to),
    active_people: adoption.totals.active_people,
    sessions,
    cost_usd_estimate: Math.round(cost.totals.cost_usd_estimate * 100) / 100,
  };
}

/** The agenda for a meeting on `date` (any time that day, UTC); figures run to the end of that day. */
export async function forumAgenda(store: Store, date: number, ctx: AgendaContext = {}): Promise<Agenda> {
  const dayStart = Math.floor(date / DAY) * DAY;
  const to = dayStart + DAY;
  const thisMonth = monthStart(dayStart);
  const [previous] = await listMeetings(store.db, DEFAULT_ORG, { to: dayStart, limit: 1 });
  const since = previous ? Math.max(Number(previous.held_at), to - MAX_PERIOD) : to - DEFAULT_PERIOD;
  const [now, last, decisions, findings, connectors, skills, overview] = await Promise.all([
    usage(store, thisMonth, to),
    usage(store, monthStart(dayStart, 1), thisMonth),
    policyDecisionCounts(store.db, DEFAULT_ORG, since, to),
    governanceFindings(store, to),
    listObjects(store, 'connector', 'requested'),
    listObjects(store, 'skill', 'proposed'),
    cadenceOverview(store, DEFAULT_ORG, to),
  ]);
  const count = (d: string) => decisions.filter((x) => x.decision === d).reduce((n, x) => n + x.n, 0);
  const byKind: Record<string, number> = {};
  for (const f of findings) byKind[f.kind] = (byKind[f.kind] ?? 0) + 1;
  return {
    date: iso(dayStart).slice(0, 10),
    forum: {
      required: overview.forum.required,
      active_seats: overview.forum.activeSeats,
      threshold: overview.forum.threshold,
    },
    usage: {
      this_month: now,
      last_month: last,
      cost_note: 'Costs are estimates computed by the Claude clients from their price tables (telemetry), not billing.',
    },
    incidents: {
      from: iso(since),
      to: iso(to),
      denied: count('deny'),
      redacted: count('redact'),
      since_meeting: previous ? iso(Number(previous.held_at)) : null,
    },
    findings: { open: findings.length, by_kind: byKind, items: findings },
    connector_requests: connectors.map((c) => ({
      id: c.id,
      name: c.name,
      owner: c.owner,
      publisher: c.fields.publisher ?? null,
      requested_at: iso(c.created_at),
    })),
    skill_requests: skills.map((s) => ({
      id: s.id,
      name: s.name,
      owner: s.owner,
      source: s.fields.source ?? null,
      requested_at: iso(s.created_at),
    })),
    training_opt_out: {
      known: false,
      note:
        'Steward has no source for this: it does not read the Claude organisation settings that say whether ' +
        'data may be used for model training. Confirm it in the Claude admin console and record it in the notes.',
    },
    retention: {
      known: false,
      note:
        'Steward has no source for the retention settings of the Claude organisation (chats, projects, API logs). ' +
        'Confirm them in the Claude admin console and record them in the notes.',
      steward: [
        `Steward's own store: no retention period is configured; telemetry is kept until deleted.`,
        ctx.contentCapture === undefined
          ? `Steward's content capture mode is not known here (config content.capture).`
          : `Steward's content capture mode: ${ctx.contentCapture} (config content.capture).`,
      ],
    },
  };
}

const cell = (v: unknown): string =>
  String(v ?? '—')
    .replace(/\|/g, '\\|')
    .replace(/\r?\n/g, ' ');

function table(head: string[], rows: unknown[][]): string {
  return [
    `| ${head.join(' | ')} |`,
    `| ${head.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
  ].join('\n');
}

const usd = (n: number): string => `$${n.toFixed(2)}`;

/** The agenda as Markdown, to paste into Notion or Confluence or send with the invitation. */
export function agendaMarkdown(a: Agenda, title = `Governance forum ${a.date}`): string {
  const u = a.usage;
  const lines = [
    `# ${title} — agenda`,
    '',
    `Generated by Steward from live data for ${a.date}. Forum ${a.forum.required ? 'required' : 'not required'}: ` +
      `${a.forum.active_seats} active seats (threshold: more than ${a.forum.threshold}).`,
    '',
    '## 1. Usage',
    '',
    table(
      [
        'figure',
        `this month (${u.this_month.from.slice(0, 10)} to ${a.date})`,
        `last month (${u.last_month.from.slice(0, 7)})`,
      ],
      [
        ['active people', u.this_month.active_people, u.last_month.active_people],
        ['sessions', u.this_month.sessions, u.last_month.sessions],
        ['cost (estimate)', usd(u.this_month.cost_usd_estimate), usd(u.last_month.cost_usd_estimate)],
      ],
    ),
    '',
    `_${u.cost_note}_`,
    '',
    '## 2. Incidents and findings',
    '',
    `Enforcement decisions from ${a.incidents.from.slice(0, 10)} to ${a.date}` +
      (a.incidents.since_meeting ? ' (since the previous meeting)' : '') +
      `: ${a.incidents.denied} denied, ${a.incidents.redacted} redacted.`,
    '',
    a.findings.open === 0
      ? 'Open governance findings: none.'
      : `Open governance findings: ${a.findings.open} (` +
        Object.entries(a.findings.by_kind)
          .map(([k, n]) => `${k} ${n}`)
          .join(', ') +
        ').',
    ...(a.findings.open === 0
      ? []
      : [
          '',
          table(
            ['kind', 'subject', 'detail', 'since'],
            a.findings.items.slice(0, 25).map((f) => [f.kind, f.subject, f.detail, f.since.slice(0, 10)]),
          ),
          ...(a.findings.open > 25 ? ['', `… and ${a.findings.open - 25} more (steward gov findings).`] : []),
        ]),
    '',
    '## 3. New connector requests',
    '',
    a.connector_requests.length === 0
      ? 'None.'
      : table(
          ['connector', 'publisher', 'owner', 'requested'],
          a.connector_requests.map((c) => [c.name, c.publisher, c.owner, c.requested_at.slice(0, 10)]),
        ),
    '',
    '## 4. New skill requests',
    '',
    a.skill_requests.length === 0
      ? 'None.'
      : table(
          ['skill', 'source', 'owner', 'requested'],
          a.skill_requests.map((s) => [s.name, s.source, s.owner, s.requested_at.slice(0, 10)]),
        ),
    '',
    '## 5. Training opt-out posture',
    '',
    a.training_opt_out.note,
    '',
    '## 6. Retention posture',
    '',
    a.retention.note,
    '',
    ...a.retention.steward.map((s) => `- ${s}`),
    '',
    '## Decisions',
    '',
    '_Record them in Steward (`steward gov forum decide`): `approve connector NAME with scopes A, B`, ' +
      '`deny connector NAME`, `approve skill NAME`, `deny skill NAME`, `retire workspace NAME`, or free text._',
    '',
  ];
  return lines.join('\n');
}
