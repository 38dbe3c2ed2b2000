/**
 * `npm run bench:verdict` — what a prompt verdict costs (DESIGN §9: p99 ≤ 5 ms in-process for a 100 KB prompt).
 *
 * In-process, per body size (1 KB, 10 KB, 100 KB of prompt text):
 *   inference hook   raw body → JSON.parse → zod → scan → evaluate → answer JSON   (POST /hooks/inference's work
 *                    after the signature check, which is timed on its own)
 *   claude code hook raw body → JSON.parse → zod → scan → evaluate → answer JSON   (POST /hooks/claude-code's work)
 *   baseline         JSON.parse of the same body, nothing else
 * Over HTTP (port 0, one client, keep-alive): POST /hooks/inference with a signed body against a real Steward, next to
 * a bare node:http server that only reads and JSON.parses the body — the part no verdict endpoint can avoid.
 * The shipped default policy decides. Prompts are prose with one email address (a finding the policy weighs), no
 * secrets: the common case. Recording is asynchronous and not on the verdict's path. Last stdout line: one JSON object.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { defaultPolicyText } from '../src/api/policy-source.js';
import { loadConfig } from '../src/config/load.js';
import { parseHookPayload } from '../src/enforce/hooks/hook-payload.js';
import { hookVerdict } from '../src/enforce/hooks/hook-verdict.js';
import { inferenceVerdict } from '../src/enforce/inference/inference-hooks.js';
import { inferenceRequestSchema } from '../src/enforce/inference/inference-payload.js';
import { verifyWebhook, webhookKey } from '../src/enforce/inference/standard-webhooks.js';
import { engineFromText } from '../src/enforce/policy-engine.js';
import { startSteward } from '../src/main.js';

const SIZES = { '1KB': 1024, '10KB': 10 * 1024, '100KB': 100 * 1024 } as const;
type Size = keyof typeof SIZES;
const BUDGET_P99_MS = 5;
const settings = { mode: 'enforce', promptRedact: 'warn', preToolUseAllow: 'defer' } as const;

const WORDS = (
  'the quarterly plan needs a summary of revenue churn and hiring across regions please compare against last ' +
  'year and list risks owners and dates for each workstream include the migration of billing services to the new ' +
  'cluster and the vendor review for support tooling keep it short and use tables where it helps'
).split(' ');

/** Deterministic prose of `bytes` characters with one email address in it. */
function prose(bytes: number): string {
  let s = '';
  let i = 0;
  while (s.length < bytes) {
    s += WORDS[(i * 7 + (i >> 3)) % WORDS.length] + (i % 17 === 16 ? '.\n' : ' ');
    i++;
    if (i === 40) s += 'Send the result to ada.lovelace@example.com when done. ';
  }
  return s.slice(0, bytes);
}

function inferenceBody(text: string): string {
  return JSON.stringify({
    type: 'prompt',
    request_id: 'req_bench',
    tenant_id: 'tenant_bench',
    actor: { type: 'user', id: 'user_bench', email_address: 'ada@example.com' },
    source: { application: 'claude-ai' },
    session_id: 'conv_bench',
    model: 'claude-opus-5-5',
    messages: [{ role: 'user', content: [{ type: 'text', text }] }],
    metadata: {},
  });
}

function hookBody(text: string): string {
  return JSON.stringify({
    session_id: '1f84b130-8b1f-4ab3-98bc-e271d920de38',
    transcript_path: '/home/ada/.claude/projects/x/1f84b130.jsonl',
    cwd: '/home/ada/work',
    prompt_id: 'c8b234a8-6caf-4727-bb13-90582786695e',
    permission_mode: 'default',
    hook_event_name: 'UserPromptSubmit',
    prompt: text,
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function stats(samples: number[]): { p50_ms: number; p99_ms: number; mean_ms: number } {
  const s = [...samples].sort((a, b) => a - b);
  const r = (v: number) => Number(v.toFixed(4));
  return {
    p50_ms: r(percentile(s, 50)),
    p99_ms: r(percentile(s, 99)),
    mean_ms: r(s.reduce((a, b) => a + b, 0) / s.length),
  };
}

function time(iterations: number, fn: () => unknown): number[] {
  for (let i = 0; i < Math.min(200, iterations); i++) fn();
  const out: number[] = new Array(iterations);
  for (let i = 0; i < iterations; i++) {
    const t0 = performance.now();
    fn();
    out[i] = performance.now() - t0;
  }
  return out;
}

async function timeAsync(iterations: number, fn: () => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < Math.min(50, iterations); i++) await fn();
  const out: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t0 = performance.now();
    await fn();
    out.push(performance.now() - t0);
  }
  return out;
}

function iterationsFor(size: Size): number {
  return size === '100KB' ? 2_000 : 5_000;
}

async function main(): Promise<void> {
  const policy = defaultPolicyText();
  const engine = engineFromText(policy.text, policy.version);
  const inProcess: Record<string, unknown> = {};
  for (const size of Object.keys(SIZES) as Size[]) {
    const text = prose(SIZES[size]);
    const inf = inferenceBody(text);
    const hook = hookBody(text);
    const n = iterationsFor(size);
    let inferenceAnswer = '';
    let hookAnswer = '';
    const inference = time(n, () => {
      const body = inferenceRequestSchema.parse(JSON.parse(inf));
      inferenceAnswer = JSON.stringify(inferenceVerdict(engine, body, {}, Date.now(), settings, 'stw_bench').answer);
    });
    const claudeCode = time(n, () => {
      const parsed = parseHookPayload(JSON.parse(hook));
      if (!parsed.ok || !parsed.decided) throw new Error('bench body does not parse');
      hookAnswer = JSON.stringify(hookVerdict(engine, parsed.payload, {}, Date.now(), settings).answer.json);
    });
    const baseline = time(n, () => JSON.parse(inf));
    // The detectors alone over the same text: the part of a verdict that grows with the prompt.
    const scanOnly = time(n, () => engine.scan(text));
    const key = webhookKey('whsec_' + randomBytes(32).toString('base64'));
    const ts = Math.floor(Date.now() / 1000);
    const sig = 'v1,' + createHmac('sha256', key).update(`msg_1.${ts}.${inf}`).digest('base64');
    const signature = time(n, () =>
      verifyWebhook(key, { 'webhook-id': 'msg_1', 'webhook-timestamp': String(ts), 'webhook-signature': sig }, inf),
    );
    inProcess[size] = {
      body_bytes: Buffer.byteLength(inf),
      inference_hook: stats(inference),
      claude_code_hook: stats(claudeCode),
      baseline_json_parse: stats(baseline),
      scan_only: stats(scanOnly),
      signature_check: stats(signature),
      answers: {
        inference_hook: JSON.parse(inferenceAnswer) as unknown,
        claude_code_hook: JSON.parse(hookAnswer) as unknown,
      },
    };
    process.stderr.write(`in-process ${size}: ${JSON.stringify(inProcess[size])}\n`);
  }

  const http = await overHttp();
  const p99 = inProcess['100KB'] as { inference_hook: { p99_ms: number }; claude_code_hook: { p99_ms: number } };
  const result = {
    bench: 'verdict',
    policy: policy.version,
    in_process: inProcess,
    http,
    budget_p99_ms_100kb: BUDGET_P99_MS,
    meets_budget: Math.max(p99.inference_hook.p99_ms, p99.claude_code_hook.p99_ms) <= BUDGET_P99_MS,
  };
  process.stdout.write(JSON.stringify(result) + '\n');
}

async function overHttp(): Promise<Record<string, unknown>> {
  const secret = 'whsec_' + randomBytes(32).toString('base64');
  const key = Buffer.from(secret.slice(6), 'base64');
  const dataDir = mkdtempSync(join(tmpdir(), 'steward-bench-verdict-'));
  const config = loadConfig({
    flags: {
      host: '127.0.0.1',
      port: 0,
      grpcPort: 0,
      dataDir,
      logLevel: 'silent',
      enforce: { inferenceHookSecret: secret },
    },
  });
  const steward = await startSteward(config, { logger: pino({ level: 'silent' }) });
  const bare = await bareServer();
  try {
    const out: Record<string, unknown> = {};
    for (const size of Object.keys(SIZES) as Size[]) {
      const body = inferenceBody(prose(SIZES[size]));
      const n = size === '100KB' ? 500 : 1_000;
      let i = 0;
      const verdict = await timeAsync(n, async () => {
        const id = `msg_${i++}`;
        const ts = Math.floor(Date.now() / 1000);
        const sig = 'v1,' + createHmac('sha256', key).update(`${id}.${ts}.${body}`).digest('base64');
        const res = await fetch(`${steward.httpUrl}/hooks/inference`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'webhook-id': id,
            'webhook-timestamp': String(ts),
            'webhook-signature': sig,
          },
          body,
        });
        if (res.status !== 200) throw new Error(`verdict ${res.status}: ${await res.text()}`);
        await res.arrayBuffer();
      });
      const baseline = await timeAsync(n, async () => {
        const res = await fetch(bare.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
        await res.arrayBuffer();
      });
      out[size] = { inference_hook: stats(verdict), baseline_json_parse_server: stats(baseline) };
      process.stderr.write(`http ${size}: ${JSON.stringify(out[size])}\n`);
    }
    return out;
  } finally {
    await new Promise((r) => bare.server.close(r));
    await steward.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The least any verdict endpoint does: read the body, JSON.parse it, answer allow. */
async function bareServer(): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      JSON.parse(Buffer.concat(chunks).toString('utf8'));
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"action":"allow"}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` };
}

await main();
