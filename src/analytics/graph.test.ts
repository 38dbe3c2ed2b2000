import { describe, expect, it } from 'vitest';
import { buildGraph, toolRisk } from './graph.js';
import { isWriteCapable } from './write-capable.js';

const tool = (over: Partial<Parameters<typeof buildGraph>[0]['tools'][number]>) => ({
  person_id: 'p1',
  agent: '',
  tool: 'Read',
  mcp_server: '',
  mcp_tool: '',
  calls: 1,
  last_use: 1_000,
  ...over,
});

describe('access graph', () => {
  it('marks write risk by the same classification as tool visibility (one rule)', () => {
    const names: [string, string | null][] = [
      ['Bash', null],
      ['Read', null],
      ['WebFetch', null],
      ['mcp_tool', 'removeLabel'],
      ['mcp_tool', 'get_postcode'],
      ['mcp_tool', 'screate'],
      ['mcp_tool', 'files.delete'],
      ['mcp_tool', null],
      ['mcp__post_office__list_boxes', null],
      ['mcp__github__create_issue', null],
      ['TodoWrite', null],
      ['mcp_tool', 'bulkUpdate'],
    ];
    for (const [tool, mcpTool] of names) {
      expect(toolRisk(tool, mcpTool) === 'write', `${tool} ${mcpTool}`).toBe(isWriteCapable({ tool, mcpTool }));
    }
    // Where the graph's former local rule disagreed: the remove verb, and a verb inside a camelCase name.
    expect(toolRisk('mcp_tool', 'removeLabel')).toBe('write');
    expect(toolRisk('mcp_tool', 'bulkUpdate')).toBe('write');
  });

  it('marks write-capable and egress tools', () => {
    for (const t of ['Bash', 'Edit', 'Write', 'NotebookEdit']) expect(toolRisk(t, null)).toBe('write');
    for (const t of ['WebFetch', 'WebSearch']) expect(toolRisk(t, null)).toBe('egress');
    expect(toolRisk('Read', null)).toBeNull();
    expect(toolRisk('mcp_tool', 'create_issue')).toBe('write');
    expect(toolRisk('mcp_tool', 'sendMessage')).toBe('write');
    expect(toolRisk('mcp_tool', 'query')).toBeNull();
    expect(toolRisk('mcp_tool', 'list_posts')).toBe('write'); // a name rule errs on the side of marking
    expect(toolRisk('mcp__slack__post_message', null)).toBe('write');
    expect(toolRisk('mcp__notion__search', null)).toBeNull();
  });

  it('links agent→tool when a subagent called it, person→tool otherwise, and tool→MCP server', () => {
    const g = buildGraph({
      people: new Map([['p1', { display_name: 'Ana', department: 'eng', team: 'core' }]]),
      dims: [{ type: 'model', rows: [{ value: 'm', person_id: 'p1', calls: 3, last_use: 500 }] }],
      tools: [
        tool({ tool: 'Bash', calls: 2 }),
        tool({ agent: 'Explore', tool: 'Grep', last_use: 2_000 }),
        tool({ tool: 'mcp_tool', mcp_server: 'jira', mcp_tool: 'create_issue' }),
      ],
      workspaces: [{ value: '/src', person_id: 'p1', calls: 1, last_seen: 3_000 }],
      maxNodes: 100,
    });
    const edges = g.edges.map((e) => `${e.source}>${e.target}:${e.calls}:${e.risk}`).sort();
    expect(edges).toEqual(
      [
        'person:p1>model:m:3:null',
        'person:p1>tool:Bash:2:write',
        'agent:Explore>tool:Grep:1:null',
        'person:p1>agent:Explore:0:null',
        'person:p1>tool:jira/create_issue:1:write',
        'tool:jira/create_issue>mcp_server:jira:1:write',
        'person:p1>workspace:/src:1:null',
      ].sort(),
    );
    expect(g.nodes.find((n) => n.id === 'person:p1')).toMatchObject({ label: 'Ana', department: 'eng' });
    expect(g.capped).toBe(false);
  });

  it('marks tools of MCP servers seen on a remote transport as egress (write wins), and links loaded plugins', () => {
    const g = buildGraph({
      people: new Map(),
      dims: [],
      tools: [
        tool({ tool: 'mcp_tool', mcp_server: 'far', mcp_tool: 'search' }),
        tool({ tool: 'mcp_tool', mcp_server: 'far', mcp_tool: 'delete_page' }),
        tool({ tool: 'mcp_tool', mcp_server: 'near', mcp_tool: 'search' }),
      ],
      workspaces: [],
      pluginLoads: [{ plugin: 'pl', person_id: 'p1', first_seen: 1, last_seen: 2, loads: 3 }],
      transports: new Map([
        ['far', new Set(['stdio', 'http'])],
        ['near', new Set(['stdio'])],
      ]),
      maxNodes: 100,
    });
    const risk = Object.fromEntries(g.nodes.filter((n) => n.type === 'tool').map((n) => [n.label, n.risk]));
    expect(risk).toEqual({ 'far/search': 'egress', 'far/delete_page': 'write', 'near/search': null });
    expect(g.nodes.find((n) => n.id === 'mcp_server:far')).toMatchObject({
      transports: ['http', 'stdio'],
      remote: true,
    });
    expect(g.nodes.find((n) => n.id === 'mcp_server:near')).toMatchObject({ remote: false });
    expect(g.edges.find((e) => e.target === 'plugin:pl')).toMatchObject({ source: 'person:p1', calls: 0, loads: 3 });
  });

  it('keeps the busiest nodes when capped and drops edges to nodes left out', () => {
    const g = buildGraph({
      people: new Map(),
      dims: [],
      tools: [tool({ tool: 'Bash', calls: 5 }), tool({ tool: 'Read', calls: 1 }), tool({ tool: 'Grep', calls: 3 })],
      workspaces: [],
      maxNodes: 2,
    });
    expect(g.nodes.map((n) => n.id)).toEqual(['person:p1', 'tool:Bash']);
    expect(g.edges).toHaveLength(1);
    expect(g).toMatchObject({ capped: true, total_nodes: 4, total_edges: 3 });
    expect(g.cap_note).toMatch(/2 busiest nodes of 4/);
  });
});
