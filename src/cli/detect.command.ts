import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { detectorTypes, type DetectorType } from '../contracts/detection.js';
import { scan } from '../detect/scan.js';

interface DetectFlags {
  format: string;
  types?: string;
  minConfidence?: string;
}

/**
 * `steward detect [files…|-] --format jsonl`: scans files (or standard input, `-`) with the detectors and prints
 * one finding per line, `{"file","type","start","end","confidence"}`, offsets being UTF-16 code units into the
 * file's UTF-8-decoded text (JavaScript string indices) — so any labelled corpus can be scored against Steward.
 * A file that cannot be read is reported on stderr; the others are still scanned and the exit code is 1.
 */
export function registerDetectCommand(program: Command): void {
  program
    .command('detect')
    .description('scan files for secrets, personal data, hidden text and prompt-injection markers')
    .argument('[files...]', 'files to scan; - (the default) reads standard input')
    .option('--format <format>', 'output format (jsonl: one finding per line)', 'jsonl')
    .option('--types <types>', `comma-separated detector types (default: all; e.g. aws_access_key_id,email)`)
    .option('--min-confidence <n>', 'only findings at or above this confidence, 0..1')
    .action(async (files: string[], flags: DetectFlags) => {
      if (flags.format !== 'jsonl') throw new Error(`--format must be jsonl, got "${flags.format}"`);
      const types = parseTypes(flags.types);
      const minConfidence = flags.minConfidence === undefined ? 0 : Number(flags.minConfidence);
      if (!(minConfidence >= 0 && minConfidence <= 1))
        throw new Error(`--min-confidence must be a number from 0 to 1, got "${flags.minConfidence}"`);
      process.stdout.on('error', quietOnClosedPipe);
      let failed = 0;
      for (const file of files.length > 0 ? files : ['-']) {
        let text: string;
        try {
          text = file === '-' ? await readStdin() : await readFile(file, 'utf8');
        } catch (err) {
          process.stderr.write(`steward: cannot read ${file}: ${reason(err)}\n`);
          failed++;
          continue;
        }
        let out = '';
        for (const f of scan(text, { types, minConfidence })) {
          out += JSON.stringify({ file, type: f.type, start: f.start, end: f.end, confidence: f.confidence }) + '\n';
        }
        if (out) process.stdout.write(out);
      }
      if (failed > 0) process.exitCode = 1;
    });
}

function parseTypes(list: string | undefined): DetectorType[] | undefined {
  if (list === undefined) return undefined;
  const types = list
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '');
  const unknown = types.filter((t) => !(t in detectorTypes));
  if (unknown.length > 0) {
    throw new Error(
      `unknown detector type ${unknown.map((t) => `"${t}"`).join(', ')}; known: ${Object.keys(detectorTypes).join(', ')}`,
    );
  }
  return types as DetectorType[];
}

function reason(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e.code === 'ENOENT') return 'no such file';
  if (e.code === 'EISDIR') return 'it is a directory';
  if (e.code === 'EACCES' || e.code === 'EPERM') return 'permission denied';
  return e.message ?? String(err);
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** `steward detect … | head` closes the pipe early: end quietly instead of with an EPIPE stack. */
function quietOnClosedPipe(err: NodeJS.ErrnoException): void {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
}
