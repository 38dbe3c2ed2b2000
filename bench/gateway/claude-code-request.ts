/**
 * The request the gateway benchmark sends: Claude Code's own `POST /v1/messages?beta=true`, built from the request
 * the real CLI (2.1.329) sent to a mock (../shared/fixtures/claude-code/api/turn2-request-with-tool_result.json), cut
 * and padded to a target size (≈ 20 KB by default).
 *
 * The capture is ≈ 49 KB (12 tools make 32 KB of it). Everything that makes it Claude Code-shaped is kept as sent:
 * every body key in its order (`model, messages, system, tools, metadata` with `user_id` as a JSON string,
 * `max_tokens, thinking, context_management, output_config, stream`), the three `system` blocks (the billing header
 * block first), the first user message with its <system-reminder>, a `role: "system"` message mid-conversation, the
 * tool_use / tool_result turn, and the headers (`anthropic-version`, `anthropic-beta`, `x-claude-code-session-id`,
 * `x-app`, `user-agent`, `x-stainless-*`, `accept-encoding`…). To reach the target size it keeps the most used tools
 * (Bash, Read, Edit, Write and the deferred-tool placeholder), cuts the mid-conversation system message at a section
 * boundary, then adds realistic tool_use / tool_result turns (shell commands and their output) until the body is
 * the target size: what a session a few turns in looks like.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const FIXTURE = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  '..',
  'shared',
  'fixtures',
  'claude-code',
  'api',
  'turn2-request-with-tool_result.json',
);

/** Tools a short session keeps: the ones Claude Code uses most, and the placeholder that carries `defer_loading`. */
const KEPT_TOOLS = ['Bash', 'Read', 'Edit', 'Write', 'DeferredToolPlaceholder'];

/** Headers of the capture that belong to the connection or the credential, not to the request: set per arm. */
const CONNECTION_HEADERS = new Set(['host', 'connection', 'content-length', 'x-api-key', 'authorization']);

export interface ClaudeCodeRequest {
  /** Path and query as the CLI sends them (`/v1/messages?beta=true`), relative to ANTHROPIC_BASE_URL. */
  path: string;
  /** Headers as the CLI sends them, without host, connection, content-length and the credential. */
  headers: Record<string, string>;
  /** The JSON bodies, byte for byte what the client sends: `stream: true` and the non-streaming fallback. */
  body: { sse: Buffer; json: Buffer };
}

interface Message {
  role: string;
  content: unknown;
}

interface Fixture {
  url: string;
  headers: Record<string, string>;
  body: Record<string, unknown> & { messages: Message[]; tools: { name: string }[] };
}

/** Shell commands and outputs of the kind a coding session produces, cycled to pad the conversation. */
const TURNS: { command: string; description: string; output: string }[] = [
  {
    command: 'git status --short && git log --oneline -5',
    description: 'Show working tree status and recent commits',
    output:
      ' M src/billing/invoice.ts\n M src/billing/invoice.test.ts\n?? src/billing/tax-rates.ts\n' +
      '4f2a9c1 Invoice totals rounded per line, not per invoice\n9b1e0d7 Tax rates table for EU countries\n' +
      'c3d5a88 Retry failed webhooks with backoff\n1a7f6e2 Customer portal: download past invoices\n' +
      '0e9b4c3 Billing service health check',
  },
  {
    command: 'npx vitest run src/billing --reporter=dot',
    description: 'Run the billing tests',
    output:
      '·····························×···\n\n FAIL  src/billing/invoice.test.ts > totals > rounds each line to the cent\n' +
      'AssertionError: expected 1234.57 to be 1234.56 // Object.is equality\n\n- Expected\n+ Received\n\n- 1234.56\n' +
      '+ 1234.57\n\n ❯ src/billing/invoice.test.ts:88:31\n\n Test Files  1 failed | 6 passed (7)\n      Tests  1 failed | 31 passed (32)',
  },
  {
    command: "grep -rn 'roundToCents' src/billing | head -20",
    description: 'Find where amounts are rounded',
    output:
      'src/billing/invoice.ts:12:import { roundToCents } from "./money.js";\nsrc/billing/invoice.ts:57:    const net = ' +
      'roundToCents(line.quantity * line.unitPrice);\nsrc/billing/invoice.ts:61:  return roundToCents(lines.reduce((s, l) ' +
      '=> s + l.net, 0) * (1 + rate));\nsrc/billing/money.ts:4:export function roundToCents(x: number): number {',
  },
  {
    command: 'sed -n 40,80p src/billing/invoice.ts',
    description: 'Read the totals function',
    output:
      'export function invoiceTotals(lines: InvoiceLine[], rate: number): Totals {\n  const priced = lines.map((line) => {\n' +
      '    const net = roundToCents(line.quantity * line.unitPrice);\n    const tax = roundToCents(net * rate);\n' +
      '    return { ...line, net, tax };\n  });\n  const net = priced.reduce((s, l) => s + l.net, 0);\n' +
      '  const tax = priced.reduce((s, l) => s + l.tax, 0);\n  return { lines: priced, net, tax, gross: net + tax };\n}',
  },
];

function paddingTurn(i: number, sessionTag: string): Message[] {
  const t = TURNS[i % TURNS.length]!;
  const id = `toolu_01${sessionTag}${String(i).padStart(4, '0')}`;
  return [
    {
      role: 'assistant',
      content: [
        { type: 'text', text: i % 2 === 0 ? 'Let me check the current state first.' : 'Running that now.' },
        { type: 'tool_use', id, name: 'Bash', input: { command: t.command, description: t.description } },
      ],
    },
    { role: 'user', content: [{ tool_use_id: id, type: 'tool_result', content: t.output, is_error: false }] },
  ];
}

/** Claude Code's request, about `targetBytes` long (UTF-8 bytes of the JSON body). */
export function claudeCodeRequest(targetBytes = 20 * 1024): ClaudeCodeRequest {
  const fixture = JSON.parse(readFileSync(FIXTURE, 'utf8')) as Fixture;
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(fixture.headers)) if (!CONNECTION_HEADERS.has(k)) headers[k] = v;

  const [firstUser, systemMessage, ...rest] = fixture.body.messages;
  const tools = fixture.body.tools.filter((t) => KEPT_TOOLS.includes(t.name));
  const build = (systemText: string, padding: Message[]): Record<string, unknown> => {
    const messages = [firstUser, { role: 'system', content: systemText }, ...padding, ...rest];
    // Same keys in the same order as the capture: only messages and tools change.
    return Object.fromEntries(
      Object.entries(fixture.body).map(([k, v]) => [k, k === 'messages' ? messages : k === 'tools' ? tools : v]),
    );
  };
  const size = (body: unknown): number => Buffer.byteLength(JSON.stringify(body));

  // The mid-conversation system message: environment, model, deferred tools and agent types; the skills list after
  // them is dropped first when the target is smaller than the capture.
  const full = String(systemMessage!.content);
  const cut = full.indexOf('\n\nThe following skills are available');
  let systemText = full;
  if (size(build(full, [])) > targetBytes && cut > 0) systemText = full.slice(0, cut);

  const padding: Message[] = [];
  const sessionTag = String(fixture.headers['x-claude-code-session-id'] ?? '')
    .replace(/-/g, '')
    .slice(0, 12);
  for (let i = 0; ; i++) {
    const next = [...padding, ...paddingTurn(i, sessionTag)];
    if (size(build(systemText, next)) > targetBytes) break;
    padding.push(...paddingTurn(i, sessionTag));
  }
  const body = build(systemText, padding);
  return {
    path: new URL(fixture.url, 'http://x').pathname + new URL(fixture.url, 'http://x').search,
    headers,
    body: {
      sse: Buffer.from(JSON.stringify({ ...body, stream: true })),
      json: Buffer.from(JSON.stringify({ ...body, stream: false, max_tokens: 64000 })), // the CLI's fallback (§2)
    },
  };
}
