import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';

/**
 * `steward gateway-key`: prints the person's gateway key for Claude Code's `apiKeyHelper` (managed settings can set
 * `"apiKeyHelper": "steward gateway-key"`; Claude Code then sends the output as both `x-api-key` and
 * `Authorization: Bearer`, claude-code-observed.md §2). The key comes from `STEWARD_GATEWAY_KEY`, else from a file
 * (`--file`, default ~/.steward/gateway-key, written by whoever provisions the machine). Prints nothing but the key;
 * no store, no config, no network, so it is instant on every call.
 */
export const DEFAULT_GATEWAY_KEY_FILE = join('~', '.steward', 'gateway-key');

export function readGatewayKey(env: NodeJS.ProcessEnv, file: string): string {
  const fromEnv = env.STEWARD_GATEWAY_KEY?.trim();
  if (fromEnv) return fromEnv;
  const path = file.startsWith('~/') ? join(env.HOME ?? homedir(), file.slice(2)) : file;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(
      `no gateway key: STEWARD_GATEWAY_KEY is not set and ${path} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'}); ` +
        'ask your platform team for a key (steward keys create --gateway --person you@example.com)',
    );
  }
  const key = text.trim();
  if (!/^stw_gw_[A-Za-z0-9_-]{43}$/.test(key)) throw new Error(`${path} does not hold a Steward gateway key`);
  return key;
}

export function registerGatewayKeyCommand(program: Command): void {
  program
    .command('gateway-key')
    .description("print this machine's gateway key (for Claude Code's apiKeyHelper)")
    .option('--file <path>', 'file holding the key', DEFAULT_GATEWAY_KEY_FILE)
    .action((flags: { file: string }) => {
      process.stdout.write(readGatewayKey(process.env, flags.file) + '\n');
    });
}
