/**
 * Portkey's open-source AI gateway (`@portkey-ai/gateway` 1.15.2) as a peer arm of bench/gateway.bench.ts. It is
 * installed on demand into bench/peers/portkey (its own package.json and lock file, node_modules git-ignored), with
 * `hono` 4.9.7 and `@hono/node-server` 1.13.5 pinned through `overrides`: as npm resolves them today the gateway
 * cannot stream /v1/messages (its issue #1389).
 *
 * How it is run and addressed, from its package (build/start-server.js): `node build/start-server.js --port=N
 * --headless` (port from `--port=`, 8787 otherwise; `--headless` skips the console UI); Hono's node server on all
 * interfaces. Its `POST /v1/messages` route reads the provider from `x-portkey-provider`, the upstream base URL from
 * `x-portkey-custom-host` (it appends `/messages`, so the base ends in `/v1`) and the upstream key from
 * `Authorization: Bearer` only (it sends it on as `X-API-Key`); so a Claude Code user points ANTHROPIC_BASE_URL at it,
 * sets ANTHROPIC_AUTH_TOKEN and passes the two x-portkey-* headers in ANTHROPIC_CUSTOM_HEADERS. It rebuilds the body
 * from an allowlist of Messages API keys and the headers from `anthropic-version` / `anthropic-beta`.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, startProcess, type ArmProcess } from './arm-process.js';

const dir = join(dirname(fileURLToPath(import.meta.url)), '..', 'peers', 'portkey');
const entry = join(dir, 'node_modules', '@portkey-ai', 'gateway', 'build', 'start-server.js');

export interface PortkeyArm {
  process: ArmProcess;
  baseUrl: string;
  /** What a Claude Code user sets to route through Portkey (ANTHROPIC_AUTH_TOKEN + ANTHROPIC_CUSTOM_HEADERS). */
  headers: Record<string, string>;
  versions: Record<string, string>;
}

const packageJson = (pkg: string) =>
  JSON.parse(readFileSync(join(dir, 'node_modules', pkg, 'package.json'), 'utf8')) as {
    version: string;
    engines?: Record<string, string>;
  };
const version = (pkg: string): string => packageJson(pkg).version;

/** Installs the pinned peer if it is missing (npm ci from the tracked lock file). */
export function installPortkey(log: (line: string) => void): void {
  if (existsSync(entry)) return;
  log('installing @portkey-ai/gateway 1.15.2 into bench/peers/portkey …');
  // Its postinstall (patch-package) has no patches to apply in the published package; --ignore-scripts keeps
  // npm from running a dependency's scripts at all.
  execFileSync('npm', ['ci', '--prefix', dir, '--engine-strict=false', '--no-audit', '--no-fund', '--ignore-scripts'], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
}

export async function startPortkey(upstreamUrl: string, upstreamKey: string): Promise<PortkeyArm> {
  const port = await freePort();
  const proc = await startProcess({
    name: 'portkey',
    command: process.execPath,
    args: [entry, `--port=${port}`, '--headless'],
    cwd: dir,
    port,
    // GET / answers "AI Gateway says hey!" once Hono's server listens.
    readyUrl: (p) => `http://127.0.0.1:${p}/`,
  });
  return {
    process: proc,
    baseUrl: `http://127.0.0.1:${port}`,
    headers: {
      'x-portkey-provider': 'anthropic',
      'x-portkey-custom-host': `${upstreamUrl}/v1`,
      authorization: `Bearer ${upstreamKey}`,
    },
    versions: {
      '@portkey-ai/gateway': version('@portkey-ai/gateway'),
      // It declares no engines; it runs on the Node this bench runs on (checked by the fidelity probe before timing).
      engines: JSON.stringify(packageJson('@portkey-ai/gateway').engines ?? 'none declared'),
      node: process.version,
      hono: version('hono'),
      '@hono/node-server': version('@hono/node-server'),
    },
  };
}
