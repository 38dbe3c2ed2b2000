import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/**
 * The built Steward as a separate OS process (`node bin/steward.js …`), for tests that must kill it for real
 * (kill -9, SIGTERM drain). `npm test` builds first; `ensureBuilt()` builds only when dist/ is missing.
 */
const execFileAsync = promisify(execFile);
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const bin = path.join(repoRoot, 'bin/steward.js');

export async function ensureBuilt(): Promise<void> {
  if (existsSync(path.join(repoRoot, 'dist/src/cli/main.js'))) return;
  await execFileAsync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: repoRoot });
}

/** The environment for a child: ours minus any STEWARD_* (unknown keys are a config error), plus `extra`. */
function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('STEWARD_')) env[k] = v;
  return { ...env, STEWARD_LOG_LEVEL: 'warn', ...extra };
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** `steward keys create` prints only the token on stdout. */
export async function createTokenWithCli(dataDir: string, role: 'admin' | 'analyst' | 'ingest'): Promise<string> {
  const { stdout } = await execFileAsync('node', [bin, 'keys', 'create', '--role', role, '--data-dir', dataDir], {
    cwd: repoRoot,
    env: childEnv({}),
  });
  const token = stdout.trim();
  if (!/^stw_\w+_[A-Za-z0-9_-]{43}$/.test(token)) throw new Error(`unexpected keys create output: ${stdout}`);
  return token;
}

export interface StewardProcess {
  child: ChildProcess;
  url: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Everything the process wrote to stdout and stderr so far (for failure messages). */
  output(): string;
}

export async function spawnSteward(opts: { dataDir: string; env?: Record<string, string> }): Promise<StewardProcess> {
  const port = await freePort();
  const grpcPort = await freePort();
  const child = spawn(
    'node',
    [
      bin,
      'serve',
      '--data-dir',
      opts.dataDir,
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--grpc-port',
      String(grpcPort),
    ],
    { cwd: repoRoot, env: childEnv(opts.env ?? {}), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (out += c.toString()));
  let hasExited = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => {
      hasExited = true;
      resolve({ code, signal });
    });
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (hasExited) throw new Error(`steward exited before it was ready:\n${out}`);
    try {
      const res = await fetch(`${url}/readyz`);
      await res.arrayBuffer();
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`steward not ready within 20 s:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { child, url, exited, output: () => out };
}
