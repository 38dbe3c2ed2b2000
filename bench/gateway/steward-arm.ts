/**
 * Steward as an arm of bench/gateway.bench.ts: the built server (`node bin/steward.js serve`, its own process, like a
 * deployment) on a fresh data directory (SQLite), its gateway at /gateway/anthropic forwarding to the mock upstream
 * (`STEWARD_GATEWAY_UPSTREAM`, with an upstream key `STEWARD_GATEWAY_UPSTREAM_API_KEY`), with everything a real
 * request goes through switched on: the default policy (active by default: model rules and prompt protection with
 * the detectors), and a budget on the person the gateway key belongs to (`steward budgets set`), large enough never
 * to stop the benchmark, so every request reserves, settles and is metered. The key and the budget are created with
 * the CLI an operator uses (`steward keys create --gateway --person`, `steward budgets set`), before the server
 * starts, against the same data directory.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, startProcess, type ArmProcess } from './arm-process.js';
import { SERVE_NODE_FLAGS } from '../../src/cli/serve-node-flags.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const bin = join(root, 'bin', 'steward.js');
export const BENCH_PERSON = 'bench.gateway@example.com';

export interface StewardArm {
  process: ArmProcess;
  baseUrl: string;
  headers: Record<string, string>;
  /** `steward budgets list` on the arm's data directory: the bench person's budget with its spend in the window. */
  budgetList(): string;
  stop(): Promise<void>;
}

function cli(args: string[], env: Record<string, string>): string {
  return execFileSync(process.execPath, [bin, ...args], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

export async function startSteward(upstreamUrl: string, upstreamKey: string): Promise<StewardArm> {
  const dataDir = mkdtempSync(join(tmpdir(), 'steward-bench-gateway-'));
  const env: Record<string, string> = {
    STEWARD_LOG_LEVEL: 'warn',
    STEWARD_GATEWAY_UPSTREAM: upstreamUrl,
    STEWARD_GATEWAY_UPSTREAM_API_KEY: upstreamKey,
  };
  try {
    const key = cli(['keys', 'create', '--gateway', '--person', BENCH_PERSON, '--data-dir', dataDir], env).trim();
    if (!key) throw new Error('steward keys create --gateway printed no key');
    // A million dollars a day: the budget is checked, reserved against and settled on every request, never reached.
    const budget = ['budgets', 'set', '--scope', `person:${BENCH_PERSON}`, '--window', 'daily'];
    cli([...budget, '--limit-usd', '1000000', '--action', 'block', '--data-dir', dataDir], env);
    const port = await freePort();
    const proc = await startProcess({
      name: 'steward',
      command: process.execPath,
      // BENCH_GATEWAY_STEWARD_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") profiles the arm under load.
      args: [
        ...SERVE_NODE_FLAGS, // as `npm start` runs it
        ...(process.env.BENCH_GATEWAY_STEWARD_NODE_ARGS ?? '').split(' ').filter(Boolean),
        bin,
        'serve',
        '--host',
        '127.0.0.1',
        '--port',
        String(port),
        '--grpc-port',
        String(await freePort()),
      ].concat(['--data-dir', dataDir]),
      cwd: root,
      env,
      port,
      readyUrl: (p) => `http://127.0.0.1:${p}/readyz`,
    });
    return {
      process: proc,
      baseUrl: `http://127.0.0.1:${port}/gateway/anthropic`,
      // What Claude Code sends with ANTHROPIC_API_KEY set to the gateway key.
      headers: { 'x-api-key': key },
      budgetList: () => cli(['budgets', 'list', '--data-dir', dataDir], env).trim(),
      async stop() {
        await proc.stop();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    rmSync(dataDir, { recursive: true, force: true });
    const err = e as Error & { stderr?: string };
    throw new Error(`${err.message.split('\n')[0]}${err.stderr ? `: ${err.stderr.trim().slice(-500)}` : ''}`);
  }
}
