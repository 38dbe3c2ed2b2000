import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { engines, openTestStore, type TestStore } from '../../test/support/engines.js';
import { storeBatch } from '../../test/support/tier-data.js';
import { EVENT_COLUMNS } from '../contracts/event-columns.js';
import { ensureCadences } from './cadence.js';
import { REGRESSION, versionChanges } from './failure-modes.js';
import { governanceFindings } from './governance-findings.js';
import { createObject, updateObject } from './governance-objects.js';

const DAY = 86_400_000;
const T0 = Date.parse('2026-01-10T09:00:00.000Z');
const ADMIN = 'ann (token t1)';

let seq = 0;
/** One event row as ingest stores it (EVENT_COLUMNS order). */
function event(e: Record<string, unknown>): unknown[] {
  seq += 1;
  const row: Record<string, unknown> = {
    dedupe_key: `k${seq}`,
    org_id: 'default',
    source: 'otlp',
    surface: 'claude_code',
    name: `claude_code.${String(e.kind)}`,
    attrs: '{}',
    ...e,
  };
  return EVENT_COLUMNS.map((c) => row[c] ?? null);
}

describe('version changes', () => {
  it('are read from a skill’s own events: a new model or app version after another one', () => {
    const e = (time: number, model: string | null, app: string | null) => ({
      skill: 's',
      time,
      calls: 0,
      errors: 0,
      model,
      app_version: app,
    });
    expect(versionChanges([e(1, 'm1', '2.0'), e(2, null, '2.0'), e(3, 'm2', '2.0'), e(4, 'm2', '2.1')])).toEqual([
      { at: 3, what: 'model m1 → m2' },
      { at: 4, what: 'app version 2.0 → 2.1' },
    ]);
  });
});

describe.each(engines)('failure-mode findings on %s', (dialect) => {
  let t: TestStore;
  beforeEach(async () => {
    t = await openTestStore(dialect);
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it('reports overdue cadences and pilots past their planned end', async () => {
    await ensureCadences(t.store, 'default', T0);
    const ws = await createObject(
      t.store,
      'workspace',
      {
        name: 'Close pilot',
        owner: 'fin@example.com',
        status: 'pilot',
        pilot_ends_on: '2026-02-28',
        review_cadence: 'annual',
      },
      ADMIN,
      T0,
    );
    const at = Date.parse('2026-03-01T12:00:00Z');
    const findings = await governanceFindings(t.store, at);
    // Monthly review due 10 February (+7 days' grace); weekly check-in due 17 January (+2 days).
    expect(findings.filter((f) => f.kind === 'cadence_overdue').map((f) => f.object_id)).toEqual([
      'steady-state-review',
      'pilot-check-in',
    ]);
    expect(findings.find((f) => f.object_id === 'pilot-check-in')).toMatchObject({
      object_kind: 'cadence',
      since: '2026-01-19T09:00:00.000Z',
    });
    expect(findings.filter((f) => f.kind === 'pilot_not_graduated')).toEqual([
      expect.objectContaining({ object_id: ws.id, since: '2026-03-01T00:00:00.000Z' }),
    ]);
    await updateObject(t.store, 'workspace', ws.id, { status: 'active' }, ADMIN, at);
    expect((await governanceFindings(t.store, at)).some((f) => f.kind === 'pilot_not_graduated')).toBe(false);
    await expect(
      updateObject(t.store, 'workspace', ws.id, { pilot_ends_on: '28/02/2026' }, ADMIN, at),
    ).rejects.toMatchObject({ message: expect.stringMatching(/^pilot_ends_on: /) });
  });

  it('reports MCP tools used beyond the approved list, and blocked tools that were used', async () => {
    const c = await createObject(
      t.store,
      'connector',
      {
        name: 'Jira',
        transport: 'app',
        tools: [
          { name: 'search', access: 'read', policy: 'allow' },
          { name: 'delete_issue', access: 'write', policy: 'blocked' },
        ],
      },
      ADMIN,
      T0,
    );
    const at = T0 + 10 * DAY;
    const use = (tool: string, time: number) =>
      event({ kind: 'tool_result', time, tool: 'mcp_tool', mcp_server: 'jira', mcp_tool: tool, success: 1 });
    await storeBatch(t.store, {
      events: [
        use('search', T0 + DAY),
        use('create_issue', T0 + DAY),
        use('create_issue', T0 + 2 * DAY),
        use('delete_issue', T0 + 3 * DAY),
      ],
      sessions: [],
      metrics: [],
    });
    const drift = (await governanceFindings(t.store, at)).filter((f) => f.kind === 'scope_drift');
    expect(drift.map((f) => [f.object_id, f.subject])).toEqual([
      [c.id, 'Jira/create_issue'],
      [c.id, 'Jira/delete_issue'],
    ]);
    expect(drift[0]).toMatchObject({
      detail: expect.stringContaining('was used (2 events) but is not in its approved tools (search, delete_issue)'),
      first_seen: new Date(T0 + DAY).toISOString(),
    });
    expect(drift[1]?.detail).toContain('is blocked but was used');
  });

  it(`reports skills whose tool-error rate more than doubles in the ${REGRESSION.windowMs / DAY} days after a model or app-version change`, async () => {
    const change = T0 + 20 * DAY;
    const rows: unknown[][] = [];
    const calls = (start: number, model: string, n: number, errors: number, skill = 'close') => {
      rows.push(event({ kind: 'api_request', time: start, skill, model }));
      for (let i = 0; i < n; i++) {
        rows.push(
          event({
            kind: 'tool_result',
            time: start + 1000 + i * 60_000,
            skill,
            tool: 'Bash',
            success: i < errors ? 0 : 1,
          }),
        );
      }
    };
    calls(change - 3 * DAY, 'claude-a', 40, 2); // 5% before
    calls(change, 'claude-b', 40, 8); // 20% after
    calls(change - 3 * DAY, 'claude-a', 40, 2, 'steady');
    calls(change, 'claude-b', 40, 3, 'steady'); // 7.5%: less than double
    // An app-version change, from the sessions the skill's events belong to.
    const session = (id: string, app: string) => ({
      ...{ id, org_id: 'default', person_id: null, surface: 'claude_code', app_version: app },
      ...{ service_name: null, entrypoint: null, terminal_type: null, os_type: null, host_arch: null },
      ...{ department: null, team: null, workspace_paths: null },
      ...{ first_seen: T0, last_seen: T0, event_count: 0, prompt_count: 0, api_request_count: 0, tool_call_count: 0 },
      ...{ input_tokens: 0, output_tokens: 0, cache_read_tokens: 0, cache_write_tokens: 0, cost_micros: 0 },
    });
    for (let i = 0; i < 30; i++) {
      const at = (d: number) => change + d * DAY + i * 60_000;
      rows.push(
        event({ kind: 'tool_result', time: at(-2), skill: 'deploy', session_id: 'old', success: i < 1 ? 0 : 1 }),
      );
      rows.push(
        event({ kind: 'tool_result', time: at(2), skill: 'deploy', session_id: 'new', success: i < 6 ? 0 : 1 }),
      );
    }
    await storeBatch(t.store, {
      events: rows,
      sessions: [session('old', '2.0.1'), session('new', '2.1.0')],
      metrics: [],
    });
    const skill = await createObject(t.store, 'skill', { name: 'Close', source: 'project' }, ADMIN, T0);
    const found = (await governanceFindings(t.store, change + 8 * DAY)).filter((f) => f.kind === 'skill_regression');
    expect(found).toEqual([
      expect.objectContaining({
        object_id: skill.id,
        subject: 'Close',
        since: new Date(change).toISOString(),
        detail: expect.stringContaining(
          '20.0% (8/40) in the 7 days after model claude-a → claude-b, against 5.0% (2/40)',
        ),
      }),
      expect.objectContaining({
        object_id: null,
        subject: 'deploy',
        since: new Date(change + 2 * DAY).toISOString(),
        detail: expect.stringContaining(
          '20.0% (6/30) in the 7 days after app version 2.0.1 → 2.1.0, against 3.3% (1/30)',
        ),
      }),
    ]);
  });
});
