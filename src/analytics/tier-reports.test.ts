import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines, openTestStore, type TestStore } from '../../test/support/engines.js';
import { loadTierData, type TierData } from '../../test/support/tier-data.js';
import { DAY_MS, HOUR_MS } from '../contracts/rollup-columns.js';
import { mergePeople } from '../store/people.repo.js';
import { knownPeople, personDays, sumRollups } from '../store/rollups-read.repo.js';
import { searchThreads, type ThreadFilter } from '../store/threads-read.repo.js';
import * as raw from '../store/discovery-read.repo.js';
import { adoptionReport, computeAdoption } from './adoption.js';
import { usesFromSessions } from './discovery.js';
import { buildGraph, graphReport } from './graph.js';
import { COST_COUNTERS, costSums } from './cost-sums.js';
import { latencyBucket } from './derived-fold.js';
import { rebuildTiers, refreshTiers } from './refresher.js';
import { searchThreadSummaries } from './thread-search.js';
import { readSnapshot } from './tier-reads.js';
import { percentile, toolsReport } from './tools.js';
import { workspaceUses } from './workspace-tiers.js';
import { isWriteCapable } from './write-capable.js';

/**
 * Reports over the derived tiers against the same figures from the raw rows, on both engines: cost sums, adoption,
 * tool visibility, thread search — with the refresher behind, caught up, and after an identity merge.
 */
const END = Date.parse('2026-05-04T00:00:00Z');
const D = DAY_MS;
const H = HOUR_MS;

describe.each(engines)('reports over the tiers (%s)', (dialect) => {
  let t: TestStore;
  let data: TierData;

  beforeAll(async () => {
    t = await openTestStore(dialect);
    // The first 20 days folded by the refresher; the rest arrives after it ran, as during ingest.
    const o = { people: 20, days: 35, end: END, scale: 0.25, seed: 5 };
    data = await loadTierData(t.store, { ...o, only: (d) => d < 20 });
    await refreshTiers(t.store, { now: () => END - 20 * D });
    const rest = await loadTierData(t.store, { ...o, only: (d) => d >= 20 });
    data = { ...rest, events: data.events + rest.events };
  }, 120_000);
  afterAll(async () => {
    await t.cleanup();
  });

  const windows: [string, number, number][] = [
    ['30 days', END - 30 * D, END],
    ['partial days', END - 21 * D + 7 * H, END - 3 * D + 2 * H],
    ['one day', END - 6 * D, END - 5 * D],
  ];

  async function expectCostSumsEqualHourly(): Promise<void> {
    const key = (r: object) => JSON.stringify(r);
    await readSnapshot(t.store, async (s) => {
      for (const [label, from, to] of windows) {
        for (const dim of [null, 'person_id', 'department', 'model', 'agent', 'skill'] as const) {
          for (const filters of [{}, { team: 'platform' }, { model: 'claude-opus-5' }]) {
            const hourly = await sumRollups(s.trx, {
              org: 'default',
              from: Math.floor(from / H) * H,
              to,
              groupBy: dim === null ? [] : [dim],
              filters,
              counters: COST_COUNTERS,
              requestsOnly: true,
            });
            const tiered = await costSums(s, { org: 'default', from: Math.floor(from / H) * H, to, dim, filters });
            expect(tiered.map(key).sort(), `${label} ${dim} ${JSON.stringify(filters)}`).toEqual(
              hourly.map(key).sort(),
            );
          }
        }
      }
    });
  }

  async function expectAdoptionEqualRows(): Promise<void> {
    for (const [days, groupBy] of [
      [7, undefined],
      [30, 'department'],
      [30, 'surface'],
    ] as const) {
      const from = END - days * D;
      const report = await adoptionReport(t.store, { from, to: END, ...(groupBy ? { groupBy } : {}) });
      const rows = await personDays(t.store.db, 'default', from - Math.max(29 * D, days * D), END);
      const people = await knownPeople(t.store.db, 'default');
      const expected = computeAdoption({ from, to: END, days: rows, people, groupBy });
      expect(report).toMatchObject(expected);
    }
  }

  async function expectToolsEqualRaw(): Promise<void> {
    for (const [label, from, to] of windows) {
      const report = await toolsReport(t.store, { from, to });
      const rows = await t.store.db
        .selectFrom('events')
        .select(['tool', 'person_id', 'success', 'duration_ms'])
        .where('time', '>=', from)
        .where('time', '<', to)
        .where('kind', '=', 'tool_result')
        .where('mcp_server', 'is', null)
        .where('tool', 'is not', null)
        .where('tool', '!=', 'mcp_tool')
        .execute();
      const byTool = new Map<string, typeof rows>();
      for (const r of rows) byTool.set(r.tool as string, [...(byTool.get(r.tool as string) ?? []), r]);
      const expected = [...byTool].map(([name, list]) => {
        const hist = new Map<number, number>();
        for (const r of list) {
          if (r.duration_ms === null) continue;
          const b = latencyBucket(r.duration_ms);
          hist.set(b, (hist.get(b) ?? 0) + 1);
        }
        const errors = list.filter((r) => r.success === 0).length;
        return {
          name,
          calls: list.length,
          errors,
          error_rate: errors / list.length,
          latency_ms: { p50: percentile(hist, 0.5), p95: percentile(hist, 0.95) },
          people: new Set(list.map((r) => r.person_id).filter(Boolean)).size,
          write_capable: isWriteCapable({ tool: name }),
        };
      });
      const byName = (a: { name: string | null }, b: { name: string | null }) =>
        String(a.name).localeCompare(String(b.name));
      expect([...report.builtin_tools].sort(byName), label).toEqual(expected.sort(byName));
      expect(report.totals.calls, label).toBeGreaterThanOrEqual(rows.length);
    }
  }

  async function expectThreadSearchEqualRaw(): Promise<void> {
    const person = data.people.find((p) => p.lastSeen > END - 10 * D)?.id;
    const filters: Partial<ThreadFilter>[] = [
      {},
      { tool: 'Bash' },
      { mcpServer: 'github' },
      { model: 'claude-sonnet-5' },
      { skill: 'pdf' },
      { q: 'invoice' },
      { q: 'ref%actor' },
      { personId: person },
      { personId: person, tool: 'Read' },
    ];
    for (const [label, from, to] of windows) {
      for (const f of filters) {
        const q: ThreadFilter = { from, to, limit: 7, ...f };
        const raw = await searchThreads(t.store.db, q);
        expect(await searchThreadSummaries(t.store, q), `${label} ${JSON.stringify(f)}`).toEqual(raw);
        // The next page, keyset on the last row.
        const last = raw[raw.length - 2];
        if (last) {
          const next = { ...q, cursor: { t: last.first_time, id: last.prompt_id } };
          expect(await searchThreadSummaries(t.store, next), `${label} next page`).toEqual(
            await searchThreads(t.store.db, next),
          );
        }
      }
    }
  }

  async function expectGraphEqualRaw(): Promise<void> {
    const org = 'default';
    for (const [label, from, to] of windows.filter(([, f, t2]) => f % D === 0 && t2 % D === 0)) {
      for (const maxNodes of [6, 40, 100_000]) {
        const db = t.store.db;
        const dims = [];
        for (const type of ['model', 'agent', 'skill', 'plugin'] as const) {
          const rows = await raw.dimensionByPerson(db, org, type, from, to);
          dims.push({
            type,
            rows: rows.map((r) => ({ value: r.value, person_id: r.person_id, calls: r.calls, last_use: r.last_hour })),
          });
        }
        const expected = buildGraph({
          people: new Map((await knownPeople(db, org)).map((p) => [p.id, p])),
          dims,
          tools: await raw.toolUses(db, org, from, to),
          workspaces: usesFromSessions(await raw.sessionWorkspaces(db, org, from, to, 1e9)),
          pluginLoads: await raw.pluginLoads(db, org, from, to),
          transports: await raw.mcpTransports(db, org, from, to, 1_000_000),
          maxNodes,
        });
        if (maxNodes === 6) expect(expected.capped).toBe(true);
        expect(expected.edges.length).toBeGreaterThan(0);
        const report = await graphReport(t.store, { from, to, maxNodes });
        const { nodes, edges, capped, total_nodes, total_edges } = report;
        expect({ nodes, edges, capped, total_nodes, total_edges }, `${label} ${maxNodes}`).toEqual({
          nodes: expected.nodes,
          edges: expected.edges,
          capped: expected.capped,
          total_nodes: expected.total_nodes,
          total_edges: expected.total_edges,
        });
      }
    }
  }

  async function expectWorkspacesEqualRaw(): Promise<void> {
    const key = (u: object) => JSON.stringify(u, Object.keys(u).sort());
    // The report windows, discovery's lookback before its last 7 days, and one ending mid-way.
    const all: [string, number, number][] = [
      ...windows,
      ['lookback', END - 7 * D - 366 * D, END - 7 * D],
      ['ending before the data', END - 40 * D, END - 12 * D],
    ];
    for (const [label, from, to] of all) {
      for (const scope of [{}, { team: 'platform' }, { department: 'finance' }]) {
        const expected = usesFromSessions(await raw.sessionWorkspaces(t.store.db, 'default', from, to, 1e9, scope));
        const tiered = await readSnapshot(t.store, (s) => workspaceUses(s, 'default', from, to, scope));
        expect(tiered.map(key).sort(), `${label} ${JSON.stringify(scope)}`).toEqual(expected.map(key).sort());
      }
    }
  }

  async function expectAll(): Promise<void> {
    await expectWorkspacesEqualRaw();
    await expectGraphEqualRaw();
    await expectCostSumsEqualHourly();
    await expectAdoptionEqualRows();
    await expectToolsEqualRaw();
    await expectThreadSearchEqualRaw();
  }

  it('answers like the raw rows while the refresher is behind', async () => {
    await expectAll();
  }, 120_000);

  it('answers like the raw rows once the refresher has caught up', async () => {
    await refreshTiers(t.store, { now: () => END - 2 * D });
    await expectAll();
  }, 120_000);

  it('stays exact through an identity merge, and a rebuild refolds exactly what the merge left', async () => {
    const [a, b] = data.people.filter((p) => p.lastSeen > 0);
    await t.store.db.transaction().execute(async (trx) => {
      await mergePeople(trx, a!.id, b!.id, { kind: 'user.email', value: a!.email }, Date.now());
    });
    await expectAll();
    const snapshot = async () => {
      const out: string[] = [];
      for (const table of ['rollup_dim_tiers', 'tool_use_tiers', 'workspace_tiers', 'session_folders'] as const) {
        const rows = await t.store.db.selectFrom(table).selectAll().execute();
        out.push(...rows.map((r) => `${table} ${JSON.stringify(r)}`));
      }
      return out.sort();
    };
    const moved = await snapshot();
    await rebuildTiers(t.store, { now: () => END - 2 * D });
    expect(await snapshot()).toEqual(moved);
    await expectAll();
  }, 120_000);
});
