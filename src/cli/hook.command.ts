import type { Command } from 'commander';
import { homedir } from 'node:os';
import { parseArgs } from 'node:util';
import { defaultCachePath } from '../enforce/hooks/hook-cache.js';
import { claudeDeviceId, runHookClient, type LocalDecider } from '../enforce/hooks/hook-client.js';

/**
 * `steward hook`: the Claude Code command hook (src/enforce/hooks/hook-client.ts). bin/steward.js calls
 * `runHookCommand` directly, before loading the rest of the CLI: a hook process starts for every prompt and tool
 * call, and the full CLI (server, database drivers, OpenTelemetry) takes ~0.6 s to load where this path takes ~0.1 s.
 * Flags beat STEWARD_HOOK_* environment variables. Prefer the environment for the token: Claude Code shows a hook's
 * command line to the model in some error messages (claude-code-observed.md §4).
 */
export const HOOK_USAGE = `Usage: steward hook [options]

Claude Code command hook: reads the hook JSON on stdin, asks Steward, prints Claude Code's hook JSON.

Options:
  --server <url>        Steward's URL (env STEWARD_HOOK_SERVER)
  --token <token>       ingest token (env STEWARD_HOOK_TOKEN; prefer the environment)
  --timeout-ms <ms>     how long to wait for the server (env STEWARD_HOOK_TIMEOUT_MS, default 1500)
  --cache <file>        local policy copy (env STEWARD_HOOK_CACHE, default ~/.cache/steward/hook-policy.json)
  --on-failure <mode>   open | closed when no policy is known at all (env STEWARD_HOOK_ON_FAILURE, default open)
`;

const MAX_INPUT_BYTES = 8 * 1024 * 1024;

export async function runHookCommand(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args: [...argv],
      options: {
        server: { type: 'string' },
        token: { type: 'string' },
        'timeout-ms': { type: 'string' },
        cache: { type: 'string' },
        'on-failure': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }).values;
  } catch (err) {
    process.stderr.write(`steward hook: ${(err as Error).message}\n${HOOK_USAGE}`);
    return 1;
  }
  if (values.help) {
    process.stdout.write(HOOK_USAGE);
    return 0;
  }
  const str = (flag: string, name: string): string | undefined => {
    const v = values[flag];
    return typeof v === 'string' && v !== '' ? v : env[name] || undefined;
  };
  const timeout = Number(str('timeout-ms', 'STEWARD_HOOK_TIMEOUT_MS') ?? 1500);
  const onFailure = str('on-failure', 'STEWARD_HOOK_ON_FAILURE') ?? 'open';
  if (!Number.isInteger(timeout) || timeout <= 0 || (onFailure !== 'open' && onFailure !== 'closed')) {
    process.stderr.write('steward hook: --timeout-ms must be a positive whole number, --on-failure open or closed\n');
    return 1;
  }
  const decideLocally = async (): Promise<LocalDecider> =>
    (await import('../enforce/hooks/hook-local.js')).decideLocally;
  return runHookClient(
    {
      server: str('server', 'STEWARD_HOOK_SERVER') ?? null,
      deviceId: claudeDeviceId(env, env.HOME || homedir()),
      token: str('token', 'STEWARD_HOOK_TOKEN') ?? null,
      timeoutMs: timeout,
      cachePath: str('cache', 'STEWARD_HOOK_CACHE') ?? defaultCachePath(env),
      onFailure,
      maxInputBytes: MAX_INPUT_BYTES,
      stdin: process.stdin,
      stdout: process.stdout,
      stderr: process.stderr,
    },
    decideLocally,
  );
}

/** Listed in `steward --help`; options are parsed by runHookCommand so both entries behave the same. */
export function registerHookCommand(program: Command): void {
  program
    .command('hook')
    .description('Claude Code command hook: stdin hook JSON → policy decision → Claude Code hook JSON on stdout')
    .allowUnknownOption(true)
    .helpOption(false)
    .argument('[options...]')
    .action(async (args: string[]) => {
      process.exitCode = await runHookCommand(args);
    });
}
