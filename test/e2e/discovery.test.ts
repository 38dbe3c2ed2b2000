import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendDemo } from '../../src/cli/demo/send.js';
import { engines } from '../support/engines.js';
import { fixtureJson } from '../support/fixtures.js';
import { startTestSteward, type TestSteward } from '../support/steward.js';

/**
 * Discovery and the agent access graph over data sent through the real OTLP path: the captured Claude Code exports
 * (exact figures: one person per capture, model claude-opus-5-5, Bash, three built-in plugins loaded), a copy of the
 * JSON capture from a person with no department (an unsanctioned candidate), two scenario captures (a hook rejecting
 * Bash; an MCP call without detail flags) and a small seeded demo organisation (structure, transports, filters).
 */
const FIXTURE_FROM = Date.parse('2026-11-21T05:00:00Z');
const FIXTURE_TO = Date.parse('2026-11-21T06:00:00Z');
const DEMO_END = Date.parse('2026-11-14T18:00:00Z');
const WINDOW_FROM = Date.parse('2026-11-07T00:00:00Z');
const WINDOW_TO = Date.parse('2026-11-15T00:00:00Z');
const STRAY_USER = 'stray-user-without-department';

type Attr = { key: string; value: Record<string, unknown> };
const DROP = new Set(['department', 'team.id', 'cost_center', 'user.email', 'user.account_uuid', 'user.account_id']);

/** The JSON log capture as if sent by another person, on another session, with no department or team. */
function strayLogs(): unknown {
  const doc = structuredClone(fixtureJson('otlp/http-json/logs.json')) as {
    resourceLogs: { resource: { attributes: Attr[] }; scopeLogs: { logRecords: { attributes: Attr[] }[] }[] }[];
  };
  const rewrite = (attrs: Attr[]): Attr[] =>
    attrs
      .filter((a) => !DROP.has(a.key))
      .map((a) =>
        a.key === 'user.id'
          ? { key: a.key, value: { stringValue: STRAY_USER } }
          : a.key === 'session.id'
            ? { key: a.key, value: { stringValue: `stray-${String(a.value.stringValue)}` } }
            : a,
      );
  for (const rl of doc.resourceLogs) {
    rl.resource.attributes = rewrite(rl.resource.attributes);
    for (const sl of rl.scopeLogs) for (const r of sl.logRecords) r.attributes = rewrite(r.attributes);
  }
  return doc;
}

interface Item {
  kind: string;
  value: string;
  label: string;
  first_seen: string;
  last_seen: string;
  people: number;
  top_people: { person_id: string; display_name: string | null; calls: number }[];
}
interface DiscoveryBody {
  seat_table: null;
  unsanctioned_note: string;
  people: Item[];
  models: Item[];
  agents: Item[];
  skills: Item[];
  plugins: Item[];
  mcp_servers: Item[];
  workspaces: Item[];
  new_this_week: Item[];
  unsanctioned_candidates: { person_id: string; reason: string }[];
}
interface GraphBody {
  nodes: {
    id: string;
    type: string;
    label: string;
    department?: string | null;
    risk?: string | null;
    transports?: string[];
    remote?: boolean;
  }[];
  edges: {
    source: string;
    target: string;
    calls: number;
    last_use: string;
    risk: 'write' | 'egress' | null;
    loads?: number;
  }[];
  capped: boolean;
  filters: { team: string | null; department: string | null };
  total_nodes: number;
  cap_note?: string;
  risk_rule: string;
}

describe.each(engines)('discovery and access graph on %s', (dialect) => {
  let t: TestSteward;
  const get = <T>(path: string): Promise<T> => t.getJson<T>(path);

  beforeAll(async () => {
    t = await startTestSteward({ dialect });
    await t.sendCaptures();
    expect((await t.postOtlp('logs', strayLogs())).status).toBe(200);
    for (const f of ['hook-block-exit2-logs', 'mcp-without-detail-flags-logs']) {
      const res = await t.postOtlp('logs', fixtureJson(`otlp/scenarios/${f}.json`));
      expect(res.status).toBe(200);
    }
    await sendDemo({
      protocol: 'http/protobuf',
      endpoint: t.url,
      token: t.tokens.ingest,
      people: 10,
      days: 7,
      seed: 42,
      endMs: DEMO_END,
    });
  }, 120_000);
  afterAll(async () => {
    await t.stop();
  });

  it('discovers the captured sessions exactly: people, one model, plugins, what is new, a person with no department', async () => {
    const body = await get<DiscoveryBody>(`/api/v1/analytics/discovery?from=${FIXTURE_FROM}&to=${FIXTURE_TO}`);
    expect(body.seat_table).toBeNull();
    expect(body.unsanctioned_note).toMatch(/no seat or licence table/);
    // One person per capture: JSON, protobuf, the stray copy of the JSON capture and the two scenarios.
    expect(body.people).toHaveLength(5);
    for (const p of body.people) {
      expect(p.first_seen).toBe('2026-11-21T05:00:00.000Z');
      expect(p.last_seen).toBe('2026-11-21T06:00:00.000Z');
    }
    expect(body.models.map((m) => [m.value, m.people])).toEqual([['claude-opus-5-5', 5]]);
    // Each capture: one prompt, two API requests and one tool call — but the hook rejected the scenario's Bash.
    expect(body.models[0]!.top_people.map((p) => p.calls)).toEqual([2, 2, 2, 2, 2]);
    expect(body.people.map((p) => p.top_people[0]!.calls).sort()).toEqual([3, 4, 4, 4, 4]);
    expect(body.agents).toEqual([]);
    // Without the detail flags Claude Code names the MCP server `custom`.
    expect(body.mcp_servers.map((m) => [m.value, m.people])).toEqual([['custom', 1]]);
    // Plugins loaded at start-up are seen from their load events though no request names them.
    expect(body.plugins.map((p) => [p.value, p.people])).toEqual([
      ['cc-plugin-agents-md', 5],
      ['cc-plugin-plugin-authoring', 5],
      ['cc-plugin-privacy', 5],
    ]);
    expect(body.plugins[0]!.first_seen.startsWith('2026-11-21T05:1')).toBe(true);
    // The demo (a week earlier) never used any of these, and these people arrived on Nov 21: all new this week.
    const kinds = body.new_this_week.map((x) => x.kind);
    expect(kinds.filter((k) => k === 'person')).toHaveLength(5);
    expect(kinds.filter((k) => k !== 'person').sort()).toEqual(['mcp_server', 'model', 'plugin', 'plugin', 'plugin']);
    const stray = body.unsanctioned_candidates;
    expect(stray).toHaveLength(1);
    expect(stray[0]!.reason).toBe('no known department');
    const strayPerson = body.people.find((p) => p.value === stray[0]!.person_id);
    expect(strayPerson?.label).toMatch(/^device /);
  });

  it('discovers the demo organisation: every item has people and sits inside the window', async () => {
    const body = await get<DiscoveryBody>(`/api/v1/analytics/discovery?from=${WINDOW_FROM}&to=${WINDOW_TO}`);
    expect(body.people.length).toBeGreaterThan(0);
    expect(body.people.length).toBeLessThanOrEqual(10);
    expect(body.models.length).toBeGreaterThan(0);
    expect(body.mcp_servers.length).toBeGreaterThan(0);
    expect(body.workspaces.length).toBeGreaterThan(0);
    const all = [
      ...body.models,
      ...body.agents,
      ...body.skills,
      ...body.plugins,
      ...body.mcp_servers,
      ...body.workspaces,
    ];
    for (const item of all) {
      expect(item.people).toBeGreaterThan(0);
      expect(item.people).toBeLessThanOrEqual(body.people.length);
      expect(item.top_people.length).toBe(Math.min(item.people, 5));
      expect(item.first_seen <= item.last_seen).toBe(true);
      expect(Date.parse(item.first_seen)).toBeGreaterThanOrEqual(WINDOW_FROM);
    }
    // Demo people all belong to departments.
    expect(body.unsanctioned_candidates).toEqual([]);
    // The demo's week starts inside the window, so what it used first in the last 7 days is new; later windows
    // starting after the demo see nothing new from it.
    const newSince = Date.parse(
      (await get<{ new_since: string }>(`/api/v1/analytics/discovery?from=${WINDOW_FROM}&to=${WINDOW_TO}`)).new_since,
    );
    for (const x of body.new_this_week) expect(Date.parse(x.first_seen)).toBeGreaterThanOrEqual(newSince);
    const later = await get<DiscoveryBody>(
      `/api/v1/analytics/discovery?from=${Date.parse('2026-11-13T00:00:00Z')}&to=${Date.parse('2026-11-16T00:00:00Z')}`,
    );
    const seenEarlier = body.models.filter((m) => Date.parse(m.first_seen) < Date.parse('2026-11-09T00:00:00Z'));
    for (const m of seenEarlier) expect(later.new_this_week.map((x) => x.value)).not.toContain(m.value);
  });

  it('graphs the captured sessions exactly: person→model, person→Bash marked write, plugins loaded', async () => {
    const body = await get<GraphBody>(`/api/v1/analytics/graph?from=${FIXTURE_FROM}&to=${FIXTURE_TO}`);
    expect(body.capped).toBe(false);
    expect(body.risk_rule).toMatch(/write-capable tools of tool visibility/);
    const people = body.nodes.filter((n) => n.type === 'person');
    expect(people).toHaveLength(5);
    expect(body.nodes.filter((n) => n.type !== 'person').map((n) => [n.id, n.risk ?? null])).toEqual([
      ['plugin:cc-plugin-agents-md', null],
      ['plugin:cc-plugin-plugin-authoring', null],
      ['plugin:cc-plugin-privacy', null],
      ['tool:Bash', 'write'],
      ['tool:mcp_tool', null], // no server name without the detail flags, so no transport and no mark
      ['model:claude-opus-5-5', null],
    ]);
    const toolEdges = (p: string) =>
      body.edges.filter((e) => e.source === p && e.target.startsWith('tool:')).map((e) => [e.target, e.calls, e.risk]);
    const byTools = people.map((p) => JSON.stringify(toolEdges(p.id))).sort();
    expect(byTools).toEqual(
      [
        [],
        [['tool:Bash', 1, 'write']],
        [['tool:Bash', 1, 'write']],
        [['tool:Bash', 1, 'write']],
        [['tool:mcp_tool', 1, null]],
      ]
        .map((x) => JSON.stringify(x))
        .sort(),
    );
    for (const p of people) {
      const out = body.edges.filter((e) => e.source === p.id);
      expect(out.find((e) => e.target === 'model:claude-opus-5-5')).toMatchObject({ calls: 2, risk: null });
      const plugins = out.filter((e) => e.target.startsWith('plugin:'));
      expect(plugins.map((e) => [e.calls, e.loads])).toEqual([
        [0, 1],
        [0, 1],
        [0, 1],
      ]);
    }
    for (const e of body.edges.filter((x) => x.target === 'tool:Bash')) {
      expect(e.last_use.startsWith('2026-11-21T05:15')).toBe(true);
    }
    const finance = await get<GraphBody>(
      `/api/v1/analytics/graph?from=${FIXTURE_FROM}&to=${FIXTURE_TO}&department=finance`,
    );
    expect(finance.nodes.filter((n) => n.type === 'person').every((n) => n.department === 'finance')).toBe(true);
    expect(finance.nodes.filter((n) => n.type === 'person')).toHaveLength(4); // all but the stray person
    const close = await get<GraphBody>(`/api/v1/analytics/graph?from=${FIXTURE_FROM}&to=${FIXTURE_TO}&team=close`);
    expect(close.nodes.filter((n) => n.type === 'person')).toHaveLength(4);
    const none = await get<GraphBody>(`/api/v1/analytics/graph?from=${FIXTURE_FROM}&to=${FIXTURE_TO}&team=nobody`);
    expect(none).toMatchObject({ nodes: [], edges: [], capped: false, filters: { team: 'nobody', department: null } });
  });

  it('graphs the demo organisation consistently; filters shrink it and the cap says so', async () => {
    const q = `from=${WINDOW_FROM}&to=${WINDOW_TO}`;
    const all = await get<GraphBody>(`/api/v1/analytics/graph?${q}`);
    const check = (g: GraphBody) => {
      const ids = new Set(g.nodes.map((n) => n.id));
      expect(ids.size).toBe(g.nodes.length);
      for (const e of g.edges) {
        expect(ids.has(e.source), e.source).toBe(true);
        expect(ids.has(e.target), e.target).toBe(true);
        expect(e.calls).toBeGreaterThanOrEqual(0);
        expect(Number.isNaN(Date.parse(e.last_use))).toBe(false);
      }
    };
    check(all);
    const types = new Set(all.nodes.map((n) => n.type));
    for (const t of ['person', 'model', 'agent', 'tool', 'mcp_server', 'workspace']) expect(types).toContain(t);
    const risk = new Map(all.nodes.filter((n) => n.type === 'tool').map((n) => [n.label, n.risk ?? null]));
    expect(risk.get('Bash')).toBe('write');
    expect(risk.get('Read')).toBeNull();
    if (risk.has('WebFetch')) expect(risk.get('WebFetch')).toBe('egress');
    // The demo's MCP servers connect over http in some sessions: remote, so their tools are egress unless their name
    // says they write (the name rule reads the tool part, so `postgres/query` is not a write).
    const servers = all.nodes.filter((n) => n.type === 'mcp_server');
    expect(servers.length).toBeGreaterThan(0);
    for (const n of servers) expect(n.remote).toBe((n.transports ?? []).some((x) => x !== 'stdio'));
    for (const [label, r] of risk) {
      if (!label.includes('/')) continue;
      const server = all.nodes.find((n) => n.id === `mcp_server:${label.split('/')[0]!}`);
      const expected = /\/(create|update|delete|send|post|write)/i.test(label)
        ? 'write'
        : server?.remote
          ? 'egress'
          : null;
      expect(r, label).toBe(expected);
    }
    for (const e of all.edges)
      if (e.target.startsWith('tool:')) expect(e.risk).toBe(risk.get(e.target.slice(5)) ?? null);
    for (const e of all.edges.filter((x) => x.target.startsWith('mcp_server:')))
      expect(e.source.startsWith('tool:')).toBe(true);

    const departments = [
      ...new Set(
        all.nodes
          .filter((n) => n.type === 'person')
          .map((n) => n.department)
          .filter(Boolean),
      ),
    ] as string[];
    expect(departments.length).toBeGreaterThan(1);
    let people = 0;
    for (const d of departments) {
      const one = await get<GraphBody>(`/api/v1/analytics/graph?${q}&department=${encodeURIComponent(d)}`);
      check(one);
      const persons = one.nodes.filter((n) => n.type === 'person');
      expect(persons.every((n) => n.department === d)).toBe(true);
      expect(one.nodes.length).toBeLessThan(all.nodes.length);
      expect(one.edges.length).toBeLessThan(all.edges.length);
      people += persons.length;
    }
    expect(people).toBe(all.nodes.filter((n) => n.type === 'person').length);

    const capped = await get<GraphBody>(`/api/v1/analytics/graph?${q}&max_nodes=5`);
    check(capped);
    expect(capped.capped).toBe(true);
    expect(capped.nodes).toHaveLength(5);
    expect(capped.total_nodes).toBe(all.nodes.length);
    expect(capped.cap_note).toMatch(/capped at the 5 busiest/);
  });

  it('requires a bounded window and a read role', async () => {
    expect((await t.api(`/api/v1/analytics/discovery?to=${WINDOW_TO}`)).status).toBe(400);
    expect((await t.api(`/api/v1/analytics/discovery?from=0&to=${WINDOW_TO}`)).status).toBe(400);
    expect((await t.api(`/api/v1/analytics/graph?from=${WINDOW_TO - 93 * 86_400_000}&to=${WINDOW_TO}`)).status).toBe(
      400,
    );
    expect((await t.api(`/api/v1/analytics/graph?from=${WINDOW_TO}&to=${WINDOW_FROM}`)).status).toBe(400);
    const ingest = await t.api(`/api/v1/analytics/graph?from=${WINDOW_FROM}&to=${WINDOW_TO}`, { role: 'ingest' });
    expect(ingest.status).toBe(403);
    const viewer = await t.api(`/api/v1/analytics/discovery?from=${WINDOW_FROM}&to=${WINDOW_TO}`, { role: 'ingest' });
    expect(viewer.status).toBe(403);
  });
});
