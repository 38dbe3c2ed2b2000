import { fixtureJson } from '../support/fixtures.js';
import type { TestSteward } from '../support/steward.js';

/**
 * The dataset behind the Tools, Discovery and Access graph pages: the real Claude Code captures (JSON and protobuf,
 * all three signals), the two scenario captures (a hook rejecting Bash; an MCP call without detail flags), and one
 * synthetic prompt for what the captures lack, built on the JSON capture's resource and record shape (so it is the
 * same person): a remote MCP server (github over http) with a write tool and a read tool, a failed Edit, a WebFetch,
 * a skill, a subagent that reads a file, and a workspace folder; and a copy of the JSON capture from a person with
 * no department or team (an unsanctioned candidate).
 */
export const SYNTHETIC_AT = Date.parse('2026-11-21T07:00:00Z');
export const WORKSPACE = '/srv/finance/close-books';

type Attr = { key: string; value: Record<string, unknown> };
const mcp = (server: string, tool: string) => JSON.stringify({ mcp_server_name: server, mcp_tool_name: tool });

const RECORDS: [string, Record<string, string>][] = [
  ['user_prompt', {}],
  ['mcp_server_connection', { server_name: 'github', transport_type: 'http', status: 'connected' }],
  [
    'tool_result',
    {
      tool_name: 'mcp__github__create_issue',
      success: 'true',
      duration_ms: '100',
      tool_parameters: mcp('github', 'create_issue'),
    },
  ],
  [
    'tool_result',
    {
      tool_name: 'mcp__github__get_issue',
      success: 'true',
      duration_ms: '60',
      tool_parameters: mcp('github', 'get_issue'),
    },
  ],
  ['tool_result', { tool_name: 'Edit', success: 'false', error: 'file not found', duration_ms: '40' }],
  ['tool_result', { tool_name: 'WebFetch', success: 'true', duration_ms: '250' }],
  ['skill_activated', { 'skill.name': 'pdf' }],
  ['subagent_completed', { agent_type: 'Explore', duration_ms: '500' }],
  ['tool_result', { tool_name: 'Read', success: 'true', duration_ms: '5', agent_type: 'Explore' }],
];

export function syntheticPrompt(): unknown {
  const doc = structuredClone(fixtureJson('otlp/http-json/logs.json')) as {
    resourceLogs: { scopeLogs: { logRecords: { attributes: Attr[] }[] }[] }[];
  };
  const scope = doc.resourceLogs[0]!.scopeLogs[0]!;
  const template = scope.logRecords.find((r) => r.attributes.some((a) => a.value.stringValue === 'tool_result'))!;
  const keep = template.attributes.filter((a) =>
    ['department', 'team.id', 'cost_center', 'user.id', 'terminal.type'].includes(a.key),
  );
  scope.logRecords = RECORDS.map(([name, extra], i) => {
    const ns = String(BigInt(SYNTHETIC_AT + 1_000 + i * 10) * 1_000_000n);
    return {
      ...template,
      timeUnixNano: ns,
      observedTimeUnixNano: ns,
      body: { stringValue: `claude_code.${name}` },
      attributes: [
        ...keep,
        { key: 'session.id', value: { stringValue: 'console-session-1' } },
        { key: 'event.name', value: { stringValue: name } },
        { key: 'event.sequence', value: { intValue: i } },
        { key: 'prompt.id', value: { stringValue: 'console-prompt-1' } },
        { key: 'workspace.host_paths', value: { arrayValue: { values: [{ stringValue: WORKSPACE }] } } },
        ...Object.entries(extra).map(([key, v]) => ({ key, value: { stringValue: v } })),
      ],
    };
  });
  return doc;
}

const DROP = new Set(['department', 'team.id', 'cost_center', 'user.email', 'user.account_uuid', 'user.account_id']);

/** The JSON log capture as if sent by another person, on another session, with no department or team. */
export function strayCapture(): unknown {
  const doc = structuredClone(fixtureJson('otlp/http-json/logs.json')) as {
    resourceLogs: { resource: { attributes: Attr[] }; scopeLogs: { logRecords: { attributes: Attr[] }[] }[] }[];
  };
  const rewrite = (attrs: Attr[]): Attr[] =>
    attrs
      .filter((a) => !DROP.has(a.key))
      .map((a) =>
        a.key === 'user.id'
          ? { key: a.key, value: { stringValue: 'stray-user-without-department' } }
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

export async function sendConsoleDataset(t: TestSteward): Promise<void> {
  await t.sendCaptures();
  for (const f of ['hook-block-exit2-logs', 'mcp-without-detail-flags-logs']) {
    const res = await t.postOtlp('logs', fixtureJson(`otlp/scenarios/${f}.json`));
    if (res.status !== 200) throw new Error(`scenario ${f} → ${res.status}: ${await res.text()}`);
  }
  for (const [name, body] of [
    ['synthetic prompt', syntheticPrompt()],
    ['stray capture', strayCapture()],
  ] as const) {
    const res = await t.postOtlp('logs', body);
    if (res.status !== 200) throw new Error(`${name} → ${res.status}: ${await res.text()}`);
  }
}
