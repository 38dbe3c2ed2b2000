import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/**
 * Runs the real Claude Code CLI headless (`-p`) for interop tests, isolated from the developer's machine: a fresh HOME
 * (so no ~/.claude settings, credentials or device id leak in) and an environment built from scratch.
 * Reference: shared/reference/claude-code-observed.md §1 (install, root), §2 (egress).
 */

export const CLAUDE_CODE_VERSION = '2.1.329';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const INSTALL_SCRIPT = join(REPO_ROOT, 'scripts', 'install-claude-code.sh');

export function claudeBinaryPath(): string {
  return join(REPO_ROOT, '.tools', 'claude-code', 'node_modules', '.bin', 'claude');
}

/** Installs the pinned CLI when it is missing (CI runs the script up front; this covers a local `vitest run`).
 *  The script itself checks the version, so an outdated install is replaced too. Returns the binary path. */
export async function ensureClaudeCode(): Promise<string> {
  const bin = claudeBinaryPath();
  if (!existsSync(bin)) {
    // npm exports npm_config_* to scripts it runs (e.g. engine-strict from the repo .npmrc); keep them away from the install.
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith('npm_')));
    await promisify(execFile)('bash', [INSTALL_SCRIPT], { env, timeout: 10 * 60_000, maxBuffer: 16 * 1024 * 1024 });
  }
  if (!existsSync(bin)) throw new Error(`Claude Code not installed at ${bin}; run scripts/install-claude-code.sh`);
  return bin;
}

export interface RunClaudeOptions {
  prompt: string;
  /** Merged last. Must contain ANTHROPIC_BASE_URL (the mock or a proxy): the CLI must never reach the real API. */
  env: Record<string, string>;
  /** Working directory; a fresh temp dir when omitted. */
  cwd?: string;
  /** HOME; a fresh temp dir when omitted (pass one to pre-seed ~/.claude/settings.json). */
  home?: string;
  /** Extra CLI arguments, appended after the defaults (e.g. `--settings`, `--mcp-config`). */
  args?: string[];
  timeoutMs?: number;
}

export interface RunClaudeResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON (`--output-format json` prints one result object), when it parses. */
  json?: unknown;
  durationMs: number;
}

export function baseClaudeEnv(home: string): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    HOME: home,
    // A fake key: the CLI then uses x-api-key auth and makes no OAuth/profile calls (§2 "Endpoints").
    ANTHROPIC_API_KEY: 'sk-ant-test-000',
    // Without it the CLI opens 5 connections to api.anthropic.com even with a custom base URL (§2 "Egress").
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
  };
}

export async function runClaude(opts: RunClaudeOptions): Promise<RunClaudeResult> {
  if (!opts.env.ANTHROPIC_BASE_URL) throw new Error('runClaude: opts.env.ANTHROPIC_BASE_URL is required');
  const bin = claudeBinaryPath();
  // `--allowedTools Bash` instead of --dangerously-skip-permissions, which refuses to run as root (§1).
  const args = ['-p', opts.prompt, '--output-format', 'json', '--allowedTools', 'Bash', ...(opts.args ?? [])];
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const temps: string[] = [];
  const tempDir = async (prefix: string): Promise<string> => {
    const dir = await mkdtemp(join(tmpdir(), prefix));
    temps.push(dir);
    return dir;
  };

  try {
    const home = opts.home ?? (await tempDir('steward-cc-home-'));
    const cwd = opts.cwd ?? (await tempDir('steward-cc-work-'));
    const env = { ...baseClaudeEnv(home), ...opts.env };
    const started = Date.now();
    const { exitCode, stdout, stderr } = await new Promise<{ exitCode: number; stdout: string; stderr: string }>(
      (resolve, reject) => {
        // detached: own process group, so a timeout also kills the tool subprocesses (bash) the CLI started.
        // stdin is /dev/null: `-p` also reads piped stdin as prompt input, and a test has none to give.
        const child = spawn(bin, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
        let out = '';
        let err = '';
        child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
        child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
        const timer = setTimeout(() => {
          try {
            if (child.pid) process.kill(-child.pid, 'SIGKILL');
          } catch {
            // already gone
          }
          reject(new Error(`claude timed out after ${timeoutMs} ms\nstdout: ${out}\nstderr: ${err}`));
        }, timeoutMs);
        child.on('error', (e) => {
          clearTimeout(timer);
          reject(e);
        });
        child.on('close', (code, signal) => {
          clearTimeout(timer);
          resolve({ exitCode: code ?? (signal ? 128 : -1), stdout: out, stderr: err });
        });
      },
    );
    let json: unknown;
    try {
      json = JSON.parse(stdout);
    } catch {
      json = undefined;
    }
    return { exitCode, stdout, stderr, json, durationMs: Date.now() - started };
  } finally {
    await Promise.all(temps.map((dir) => rm(dir, { recursive: true, force: true })));
  }
}
