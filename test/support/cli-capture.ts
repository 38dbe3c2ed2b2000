import { vi } from 'vitest';
import { runCli } from '../../src/cli/main.js';

/**
 * Runs the real `steward` CLI entry in-process with `argv` and captures what it prints and its exit code
 * (process.exitCode, reset afterwards). Output is swallowed, not shown: tests assert on it.
 */
export async function runCliCaptured(argv: string[]): Promise<{ out: string; err: string; code: number }> {
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  process.exitCode = 0;
  try {
    await runCli(['node', 'steward', ...argv]);
    return {
      out: out.mock.calls.map((c) => String(c[0])).join(''),
      err: err.mock.calls.map((c) => String(c[0])).join(''),
      code: Number(process.exitCode ?? 0),
    };
  } finally {
    out.mockRestore();
    err.mockRestore();
    process.exitCode = 0;
  }
}
