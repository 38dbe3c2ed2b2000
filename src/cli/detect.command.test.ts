import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { registerDetectCommand } from './detect.command.js';

describe('steward detect', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'steward-detect-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
    process.exitCode = undefined;
  });

  async function run(args: string[]): Promise<{ out: string; err: string }> {
    const program = new Command().exitOverride();
    registerDetectCommand(program);
    let out = '';
    let err = '';
    const o = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((out += String(chunk)), true));
    const e = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((err += String(chunk)), true));
    try {
      await program.parseAsync(['node', 'steward', 'detect', ...args]);
    } finally {
      o.mockRestore();
      e.mockRestore();
    }
    return { out, err };
  }

  it('prints one JSON line per finding with offsets into the file text', async () => {
    const file = join(dir, 'a.env');
    const text = 'é AWS_ACCESS_KEY_ID=AKIAQ3EGRQWERTYZ2345\nmail ana.silva@acme-corp.io\n';
    writeFileSync(file, text);
    const { out } = await run([file, '--format', 'jsonl']);
    const lines = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => Object.keys(l))).toEqual([
      ['file', 'type', 'start', 'end', 'confidence'],
      ['file', 'type', 'start', 'end', 'confidence'],
    ]);
    expect(lines.map((l) => [l.file, l.type, text.slice(l.start as number, l.end as number)])).toEqual([
      [file, 'aws_access_key_id', 'AKIAQ3EGRQWERTYZ2345'],
      [file, 'email', 'ana.silva@acme-corp.io'],
    ]);
  });

  it('filters by --types and --min-confidence', async () => {
    const file = join(dir, 'b.txt');
    writeFileSync(file, 'ana.silva@acme-corp.io from 192.168.10.20');
    expect((await run([file, '--types', 'ipv4'])).out).toMatch(/"type":"ipv4"/);
    expect((await run([file, '--min-confidence', '0.5'])).out).not.toMatch(/ipv4/);
  });

  it('reports unreadable files clearly, scans the others and exits 1', async () => {
    const good = join(dir, 'c.txt');
    writeFileSync(good, 'card 4532 1234 5678 9014');
    const { out, err } = await run([join(dir, 'missing.txt'), dir, good]);
    expect(err).toBe(
      `steward: cannot read ${join(dir, 'missing.txt')}: no such file\nsteward: cannot read ${dir}: it is a directory\n`,
    );
    expect(out).toMatch(/"type":"payment_card"/);
    expect(process.exitCode).toBe(1);
  });

  it('rejects an unknown format or type', async () => {
    await expect(run(['--format', 'csv'])).rejects.toThrow('--format must be jsonl');
    await expect(run(['--types', 'email,nope'])).rejects.toThrow('unknown detector type "nope"');
  });

  it('reads standard input with - (through the steward entry point)', () => {
    const entry = join(import.meta.dirname, 'entry.ts');
    const r = spawnSync(process.execPath, ['--import', 'tsx', entry, 'detect', '-'], {
      input: 'token ghp_aB3dE5fG7hI9jK1lM3nO5pQ7rS9tU1vW3xY5\n',
      encoding: 'utf8',
    });
    expect(r.stderr).not.toMatch(/Error/);
    expect(JSON.parse(r.stdout.trim())).toEqual({
      file: '-',
      type: 'github_token',
      start: 6,
      end: 46,
      confidence: 0.97,
    });
  });
});
