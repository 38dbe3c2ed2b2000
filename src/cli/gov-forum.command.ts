import type { Command } from 'commander';
import { writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { agendaMarkdown, forumAgenda } from '../govern/forum-agenda.js';
import { createMeeting, getForumMeeting, listForumMeetings, recordDecision, type Meeting } from '../govern/forum.js';
import { scorecardMarkdown, scorecardPdf } from '../govern/scorecard-render.js';
import { governanceScorecard } from '../govern/scorecard.js';
import { openStore, type Store } from '../store/store.js';
import { withAuditedStore } from './cli-audit.js';
import { addConfigOptions, configFromFlags, type ConfigFlags } from './config-options.js';

/**
 * `steward gov forum list|add|show|decide|agenda` and `steward gov scorecard` (docs/governance.md): the forum's
 * meetings and decisions (structured decisions change the inventory, recorded as `cli:<os user>`), the standing
 * agenda as Markdown, and the quarterly scorecard as Markdown or PDF.
 */
const out = (s: string): void => void process.stdout.write(s.endsWith('\n') ? s : `${s}\n`);
const who = (): string => `cli:${userInfo().username}`;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

async function withStore<T>(flags: ConfigFlags, fn: (store: Store, capture: string) => Promise<T>): Promise<T> {
  const config = configFromFlags(flags);
  const store = await openStore({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
  try {
    return await fn(store, config.content.capture);
  } finally {
    await store.close();
  }
}

function meetingText(m: Meeting): string {
  const lines = [
    `${m.title} — ${m.held_at.slice(0, 10)} (${m.id})`,
    `attendees: ${m.attendees.length === 0 ? 'none recorded' : m.attendees.join(', ')}`,
  ];
  if (m.notes !== '') lines.push('', m.notes);
  if (m.decisions.length > 0) lines.push('', 'decisions:');
  for (const d of m.decisions) {
    const o = d.outcome;
    lines.push(`  ${d.seq}. ${d.text}${o ? `  [${o.object_kind} ${o.name}: ${o.from} → ${o.to}]` : ''}`);
  }
  return lines.join('\n');
}

const list = (v: string, prev: string[] = []): string[] => [...prev, v];

export function registerGovForumCommand(program: Command): void {
  const gov =
    program.commands.find((c) => c.name() === 'gov') ??
    program.command('gov').description('governance: inventories, RACI, cadences');
  const forum = gov.command('forum').description('the governance forum: meetings, decisions, the standing agenda');

  addConfigOptions(
    forum.command('list').description('list the meetings, newest first').option('--json', 'print JSON'),
  ).action(async (flags: ConfigFlags & { json?: boolean }) => {
    await withStore(flags, async (store) => {
      const meetings = await listForumMeetings(store);
      if (flags.json) out(JSON.stringify(meetings, null, 2));
      else if (meetings.length === 0) out('no meetings');
      else
        for (const m of meetings)
          out(`${m.held_at.slice(0, 10)}  ${m.id}  ${m.title}  (${m.decisions.length} decisions)`);
    });
  });

  addConfigOptions(
    forum
      .command('add')
      .description('record a meeting (and its decisions, applied in order)')
      .requiredOption('--date <date>', 'when it was held: YYYY-MM-DD or an ISO 8601 time')
      .option('--title <text>', 'title (default: Governance forum DATE)')
      .option('--attendee <name>', 'an attendee (repeat)', list, [])
      .option('--notes <text>', 'notes', '')
      .option(
        '--decision <text>',
        'a decision, e.g. "approve connector github with scopes repo:read" (repeat)',
        list,
        [],
      )
      .option('--json', 'print JSON'),
  ).action(
    async (
      flags: ConfigFlags & {
        date: string;
        title?: string;
        attendee: string[];
        notes: string;
        decision: string[];
        json?: boolean;
      },
    ) => {
      const what = { action: 'governance.meetings.create', command: 'gov forum add' };
      await withAuditedStore(flags, what, async (store, note) => {
        const m = await createMeeting(
          store,
          {
            held_at: flags.date,
            ...(flags.title !== undefined ? { title: flags.title } : {}),
            attendees: flags.attendee,
            notes: flags.notes,
            decisions: flags.decision,
          },
          who(),
        );
        note.subject = { kind: 'governance.meetings', id: m.id };
        note.details = { title: m.title, decisions: m.decisions.length };
        out(flags.json ? JSON.stringify(m, null, 2) : `recorded meeting ${m.id}\n${meetingText(m)}`);
      });
    },
  );

  addConfigOptions(
    forum.command('show <id>').description('one meeting with its decisions').option('--json', 'print JSON'),
  ).action(async (id: string, flags: ConfigFlags & { json?: boolean }) => {
    await withStore(flags, async (store) => {
      const m = await getForumMeeting(store, id);
      out(flags.json ? JSON.stringify(m, null, 2) : meetingText(m));
    });
  });

  addConfigOptions(
    forum.command('decide <meeting-id> <text...>').description('record a decision taken in a meeting'),
  ).action(async (id: string, words: string[], flags: ConfigFlags) => {
    const what = { action: 'governance.meetings.decisions.create', command: 'gov forum decide' };
    await withAuditedStore(flags, what, async (store, note) => {
      note.subject = { kind: 'governance.meetings', id };
      const d = await recordDecision(store, id, { text: words.join(' ') }, who());
      note.details = { decision: d.id, seq: d.seq };
      const o = d.outcome;
      out(
        `recorded decision ${d.seq}: ${d.text}${o ? `\n${o.object_kind} ${o.name}: ${o.from} → ${o.to}` : ' (free text)'}`,
      );
    });
  });

  addConfigOptions(
    forum
      .command('agenda')
      .description('print the standing agenda (Markdown) generated from live data')
      .option('--date <YYYY-MM-DD>', 'the meeting date (default today)')
      .option('--meeting <id>', 'a recorded meeting: its date and title')
      .option('--out <path>', 'write it to a file'),
  ).action(async (flags: ConfigFlags & { date?: string; meeting?: string; out?: string }) => {
    if (flags.date !== undefined && !DATE.test(flags.date))
      throw new Error(`--date must be YYYY-MM-DD, got "${flags.date}"`);
    const what = { action: 'export.forum_agenda', command: 'gov forum agenda' };
    await withAuditedStore(flags, what, async (store, note, config) => {
      const capture = config.content.capture;
      if (flags.meeting !== undefined) note.subject = { kind: 'forum_agenda', id: flags.meeting };
      note.details = { ...(flags.out !== undefined ? { out: flags.out } : {}) };
      const meeting = flags.meeting === undefined ? null : await getForumMeeting(store, flags.meeting);
      const date = meeting
        ? Date.parse(meeting.held_at)
        : flags.date === undefined
          ? Date.now()
          : Date.parse(`${flags.date}T00:00:00Z`);
      const md = agendaMarkdown(await forumAgenda(store, date, { contentCapture: capture }), meeting?.title);
      if (flags.out === undefined) out(md);
      else {
        await writeFile(flags.out, md);
        out(`wrote ${flags.out}`);
      }
    });
  });

  addConfigOptions(
    gov
      .command('scorecard')
      .description('the quarterly governance scorecard beside last quarter')
      .option('--quarter <YYYY-Qn>', 'the quarter (default: the current one)')
      .option('--format <format>', 'md or pdf', 'md')
      .option('--out <path>', 'write it to a file (a PDF needs one unless stdout is redirected)'),
  ).action(async (flags: ConfigFlags & { quarter?: string; format: string; out?: string }) => {
    if (flags.format !== 'md' && flags.format !== 'pdf')
      throw new Error(`--format must be md or pdf, got "${flags.format}"`);
    await withAuditedStore(flags, { action: 'export.scorecard', command: 'gov scorecard' }, async (store, note) => {
      const sc = await governanceScorecard(store, flags.quarter);
      note.details = { quarter: sc.current.quarter, format: flags.format, ...(flags.out ? { out: flags.out } : {}) };
      const body = flags.format === 'pdf' ? await scorecardPdf(sc) : scorecardMarkdown(sc);
      if (flags.out !== undefined) {
        await writeFile(flags.out, body);
        out(`wrote ${flags.out}`);
      } else if (typeof body === 'string') out(body);
      else if (process.stdout.isTTY) throw new Error('a PDF needs --out PATH (or redirect stdout)');
      else process.stdout.write(body);
    });
  });
}
