import type { Command } from 'commander';
import { eventStats } from '../store/events-read.repo.js';
import { countPeople, getPerson } from '../store/people-read.repo.js';
import { countSessions, listSessions, sessionEvents } from '../store/sessions-read.repo.js';
import { openStore, type Store } from '../store/store.js';
import type { EventRecord, SessionsTable } from '../store/database.js';
import { addConfigOptions, configFromFlags, type ConfigFlags } from './config-options.js';

/**
 * `steward status`: is telemetry arriving, from whom, and what happened in the latest sessions — read straight
 * from the configured store (works while the server runs: SQLite WAL allows concurrent readers).
 */
export function registerStatusCommand(program: Command): void {
  addConfigOptions(
    program
      .command('status')
      .description('show people, sessions and the latest session timeline')
      .option('--sessions <n>', 'how many recent sessions to list', '5')
      .option('--json', 'print JSON instead of text'),
  ).action(async (flags: ConfigFlags & { sessions: string; json?: boolean }) => {
    const config = configFromFlags(flags);
    const store = await openStore({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
    try {
      const report = await buildStatus(store, Math.max(1, Math.min(50, Number(flags.sessions) || 5)));
      process.stdout.write(flags.json ? JSON.stringify(report, null, 2) + '\n' : renderStatus(report));
    } finally {
      await store.close();
    }
  });
}

interface StatusReport {
  database: string;
  people: number;
  sessions: number;
  events: number;
  lastEventAt: string | null;
  recent: { session: SessionsTable; person: string | null; timeline: EventRecord[] }[];
}

async function buildStatus(store: Store, n: number): Promise<StatusReport> {
  const [people, sessions, stats, recent] = await Promise.all([
    countPeople(store.db),
    countSessions(store.db),
    eventStats(store.db),
    listSessions(store.db, { limit: n }),
  ]);
  const out: StatusReport['recent'] = [];
  for (const s of recent.slice(0, n)) {
    const person = s.person_id ? await getPerson(store.db, s.person_id) : undefined;
    const timeline = out.length === 0 ? await sessionEvents(store.db, s, 200) : [];
    out.push({ session: s, person: person?.display_name ?? null, timeline });
  }
  return {
    database: store.dialect,
    people,
    sessions,
    events: stats.events,
    lastEventAt: stats.last_event === null ? null : new Date(stats.last_event).toISOString(),
    recent: out,
  };
}

function renderStatus(r: StatusReport): string {
  const lines = [
    `database ${r.database}   people ${r.people}   sessions ${r.sessions}   events ${r.events}   last event ${r.lastEventAt ?? 'none yet'}`,
  ];
  if (r.events === 0) {
    lines.push('', 'No telemetry yet. Point Claude Code at Steward (see the settings printed by `steward serve`).');
  }
  for (const { session: s, person, timeline } of r.recent) {
    const cost = (s.cost_micros / 1e6).toFixed(4);
    lines.push(
      '',
      `session ${s.id}  ${s.surface}  ${person ?? 'unknown person'}${s.department ? ` (${s.department}${s.team ? '/' + s.team : ''})` : ''}`,
      `  ${new Date(s.first_seen).toISOString()} → ${new Date(s.last_seen).toISOString()}   prompts ${s.prompt_count}   api requests ${s.api_request_count}   tool calls ${s.tool_call_count}`,
      `  tokens in ${s.input_tokens} out ${s.output_tokens} cache read ${s.cache_read_tokens} cache write ${s.cache_write_tokens}   est. cost $${cost}`,
    );
    for (const e of timeline.filter((x) => !['hook', 'plugin', 'settings'].includes(x.kind))) {
      lines.push(`    ${new Date(e.time).toISOString().slice(11, 23)}  ${describe(e)}`);
    }
  }
  return lines.join('\n') + '\n';
}

function describe(e: EventRecord): string {
  switch (e.kind) {
    case 'api_request':
      return `api_request    ${e.model ?? ''} in ${e.input_tokens ?? 0} out ${e.output_tokens ?? 0} cache r ${e.cache_read_tokens ?? 0} w ${e.cache_write_tokens ?? 0} $${((e.cost_micros ?? 0) / 1e6).toFixed(4)}`;
    case 'tool_decision':
      return `tool_decision  ${e.tool ?? ''} ${e.decision ?? ''} (${e.decision_source ?? ''})`;
    case 'tool_result':
      return `tool_result    ${e.tool ?? ''} ${e.success === 1 ? 'ok' : e.success === 0 ? 'failed' : ''} ${e.duration_ms ?? ''}ms`;
    default:
      return `${e.kind.padEnd(14)} ${e.name}`;
  }
}
