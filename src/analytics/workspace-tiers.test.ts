import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines, openTestStore, type TestStore } from '../../test/support/engines.js';
import { EVENT_COLUMNS } from '../contracts/event-columns.js';
import { DAY_MS, HOUR_MS } from '../contracts/rollup-columns.js';
import type { SessionsTable } from '../store/database.js';
import { sessionWorkspaces } from '../store/discovery-read.repo.js';
import { insertEvents } from '../store/events.repo.js';
import { mergePeople } from '../store/people.repo.js';
import { upsertSessionDeltas } from '../store/sessions.repo.js';
import { usesFromSessions } from './discovery.js';
import { rebuildTiers, refreshTiers } from './refresher.js';
import { readSnapshot } from './tier-reads.js';
import { workspaceUses } from './workspace-tiers.js';

/**
 * The workspace-folder tier against the raw sessions while sessions move on (later activity, new folders, another
 * team or person), before and after the refresher folds their events, through an identity merge and a rebuild.
 */
const END = Date.parse('2026-05-04T00:00:00Z');
const D = DAY_MS;
const H = HOUR_MS;

let seq = 0;

describe.each(engines)('workspace folders over the tier (%s)', (dialect) => {
  let t: TestStore;

  /** What ingest does for one event of a session: the event, and the session row upserted with it. */
  async function activity(
    id: string,
    time: number,
    s: { person?: string | null; team?: string | null; department?: string | null; paths?: string[] | null },
  ): Promise<void> {
    seq += 1;
    const e: Record<string, unknown> = {
      dedupe_key: `w${seq}`,
      time,
      org_id: 'default',
      source: 'otlp',
      surface: 'cowork',
      kind: 'prompt',
      name: 'cowork.user_prompt',
      person_id: s.person ?? null,
      session_id: id,
      prompt_id: `p${seq}`,
      department: s.department ?? null,
      team: s.team ?? null,
      attrs: '{}',
    };
    const delta: SessionsTable = {
      id,
      org_id: 'default',
      person_id: s.person ?? null,
      surface: 'cowork',
      service_name: null,
      app_version: null,
      entrypoint: null,
      terminal_type: null,
      os_type: null,
      host_arch: null,
      department: s.department ?? null,
      team: s.team ?? null,
      workspace_paths: s.paths ? JSON.stringify(s.paths) : null,
      first_seen: time,
      last_seen: time,
      event_count: 1,
      prompt_count: 1,
      api_request_count: 0,
      tool_call_count: 0,
      input_tokens: 0,
      output_tokens: 0,
      cache_read_tokens: 0,
      cache_write_tokens: 0,
      cost_micros: 0,
    };
    await t.store.db.transaction().execute(async (trx) => {
      await insertEvents(trx, t.store, [EVENT_COLUMNS.map((c) => e[c] ?? null)]);
      await upsertSessionDeltas(trx, t.store, [delta]);
    });
  }

  const windows: [string, number, number][] = [
    ['30 days', END - 30 * D, END],
    ['ending mid-way', END - 12 * D, END - 5 * D],
    ['partial days', END - 12 * D + 90 * 60_000, END - 2 * D + 5 * H],
    ['one day', END - 9 * D, END - 8 * D],
  ];

  async function expectEqualRaw(step: string): Promise<void> {
    const key = (u: object) => JSON.stringify(u, Object.keys(u).sort());
    for (const [label, from, to] of windows) {
      for (const scope of [{}, { team: 't1' }, { department: 'd2' }]) {
        const raw = usesFromSessions(await sessionWorkspaces(t.store.db, 'default', from, to, 1e9, scope));
        const tiered = await readSnapshot(t.store, (s) => workspaceUses(s, 'default', from, to, scope));
        expect(tiered.map(key).sort(), `${step}: ${label} ${JSON.stringify(scope)}`).toEqual(raw.map(key).sort());
      }
    }
  }

  const refresh = () => refreshTiers(t.store, { now: () => END });

  beforeAll(async () => {
    t = await openTestStore(dialect);
    const a = { person: 'a', team: 't1', department: 'd1', paths: ['/x', '/y'] };
    await activity('s1', END - 10 * D + H, a);
    await activity('s1', END - 10 * D + 2 * H, a);
    await activity('s2', END - 9 * D + 3 * H, { person: 'b', team: 't1', department: 'd2', paths: ['/x'] });
    // A long session: from three weeks ago to two days ago.
    await activity('s3', END - 21 * D, { person: 'a', team: 't1', department: 'd1', paths: ['/z'] });
    await activity('s3', END - 2 * D + 4 * H, { person: 'a', team: 't1', department: 'd1' });
    await activity('s4', END - 8 * D + 5 * H, { person: null, paths: ['/x', ''] });
    await activity('s5', END - 7 * D, { person: 'c', team: 't2', department: 'd2', paths: ['not json'] });
  });
  afterAll(async () => {
    await t.cleanup();
  });

  it('reads what the raw sessions give before and after the refresher folds them', async () => {
    await expectEqualRaw('nothing folded');
    await refresh();
    const tier = await t.store.db.selectFrom('workspace_tiers').selectAll().execute();
    expect(tier.length).toBeGreaterThan(0);
    expect(tier.some((r) => Number(r.span) > 1)).toBe(true);
    await expectEqualRaw('folded');
  });

  it('follows a session to a later day, past the window and back within it', async () => {
    const a = { person: 'a', team: 't1', department: 'd1' };
    await activity('s1', END - 4 * D, a);
    await expectEqualRaw('moved, not folded');
    await refresh();
    await expectEqualRaw('moved, folded');
    // Its first activity moves earlier (an event arriving late).
    await activity('s1', END - 13 * D, a);
    await expectEqualRaw('started earlier, not folded');
    await refresh();
    await expectEqualRaw('started earlier, folded');
  });

  it('stays exact when a session reports other folders, another team or a person', async () => {
    await activity('s2', END - 9 * D + 4 * H, { person: 'b', team: 't1', department: 'd2', paths: ['/w'] });
    await expectEqualRaw('new folders, not folded');
    await refresh();
    await expectEqualRaw('new folders, folded');
    await activity('s3', END - 2 * D + 5 * H, { person: 'a', team: 't2', department: 'd2' });
    await expectEqualRaw('new team, not folded');
    await refresh();
    await expectEqualRaw('new team, folded');
    await activity('s4', END - 8 * D + 6 * H, { person: 'c' });
    await expectEqualRaw('a person, not folded');
    await refresh();
    await expectEqualRaw('a person, folded');
  });

  it('stays exact through an identity merge, and a rebuild gives the same tier', async () => {
    await t.store.db.transaction().execute(async (trx) => {
      await mergePeople(trx, 'a', 'b', { kind: 'user.email', value: 'a@example.com' }, Date.now());
    });
    await expectEqualRaw('merged');
    await activity('s1', END - 3 * D, { person: 'b' });
    await expectEqualRaw('merged, moved on');
    await refresh();
    await expectEqualRaw('merged, folded');
    await rebuildTiers(t.store, { now: () => END });
    await expectEqualRaw('rebuilt');
  });

  it('fills the tier from the sessions when the cursor had already moved (migration 0013)', async () => {
    await t.store.db.deleteFrom('workspace_tiers').execute();
    await t.store.db.deleteFrom('session_folders').execute();
    await t.store.db.updateTable('analytics_cursor').set({ max_session_ms: -1 }).execute();
    await expectEqualRaw('not filled');
    await refresh();
    expect((await t.store.db.selectFrom('workspace_tiers').selectAll().execute()).length).toBeGreaterThan(0);
    await expectEqualRaw('filled');
  });
});
