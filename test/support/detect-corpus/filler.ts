/**
 * Ordinary text between the labelled items, in the formats prompts and tool results come in. It must contain
 * nothing any detector should report (the corpus test scans filler alone and expects no findings): no addresses,
 * no long numbers, no credential names with values.
 */
import type { Rng } from './random.js';
import { HEXL } from './random.js';

const NOUNS = [
  'service',
  'request',
  'customer',
  'invoice',
  'schedule',
  'dashboard',
  'pipeline',
  'release',
  'report',
  'cluster',
  'queue',
  'migration',
  'budget',
  'contract',
  'review',
];
const VERBS = [
  'updates',
  'checks',
  'summarises',
  'rejects',
  'retries',
  'archives',
  'validates',
  'exports',
  'loads',
  'reconciles',
];
const ADJECTIVES = [
  'weekly',
  'pending',
  'stale',
  'regional',
  'quarterly',
  'cached',
  'internal',
  'failed',
  'draft',
  'large',
];
const IDENTS = ['items', 'order', 'total', 'result', 'config', 'handler', 'retries', 'timeout', 'payload', 'cursor'];

function sentence(rng: Rng): string {
  const n = (): string => rng.pick(NOUNS);
  return rng.pick([
    () => `The ${rng.pick(ADJECTIVES)} ${n()} ${rng.pick(VERBS)} every ${n()} before the ${n()} closes.`,
    () => `Could you look at why the ${n()} ${rng.pick(VERBS)} the ${rng.pick(ADJECTIVES)} ${n()} twice?`,
    () => `We moved the ${n()} to the ${rng.pick(ADJECTIVES)} ${n()} so that the ${n()} stays small.`,
    () => `Please draft a short note about the ${rng.pick(ADJECTIVES)} ${n()} for the team.`,
    () => `After ${rng.range(2, 40)} minutes the ${n()} ${rng.pick(VERBS)} ${rng.range(2, 900)} records.`,
  ])();
}

export type FillerFormat = 'prose' | 'code' | 'json' | 'yaml' | 'log' | 'markdown' | 'env';
/**
 * Formats weighted like a coding assistant's traffic: mostly prose and code, then JSON, YAML, logs. The mix has
 * about 60 digits per 1,000 characters, close to the real Claude Code payloads in ../shared/fixtures (53).
 */
export const fillerFormats: readonly FillerFormat[] = [
  'prose',
  'prose',
  'prose',
  'code',
  'code',
  'code',
  'json',
  'yaml',
  'log',
  'markdown',
  'env',
];

/** One line (or a short paragraph) of filler of at least 50 characters, ending in a newline. */
export function fillerLine(rng: Rng, format: FillerFormat): string {
  const id = (): string => rng.pick(IDENTS);
  switch (format) {
    case 'prose':
      return `${sentence(rng)} ${sentence(rng)}\n`;
    case 'code':
      return rng.pick([
        () =>
          `export function ${id()}For${cap(rng.pick(NOUNS))}(input: ${cap(id())}[]): number {\n  return input.filter((x) => x.ready).length;\n}\n`,
        () =>
          `  const ${id()} = await fetch${cap(rng.pick(NOUNS))}(${id()}, { retries: ${rng.range(1, 5)}, timeoutMs: ${rng.range(100, 5000)} });\n`,
        () => `def ${id()}_${rng.pick(NOUNS)}(rows):\n    return [r for r in rows if r.get("${id()}") is not None]\n`,
        () => `  if (${id()}.length > ${rng.range(2, 64)}) throw new Error('too many ${rng.pick(NOUNS)} entries');\n`,
      ])();
    case 'json':
      return `{"id": ${rng.range(1, 99999)}, "name": "${rng.pick(NOUNS)}-${rng.pick(ADJECTIVES)}", "count": ${rng.range(0, 500)}, "enabled": ${rng.chance(0.5)}, "updated_at": "2024-0${rng.range(1, 9)}-1${rng.range(0, 9)}T0${rng.range(0, 9)}:00:00Z"}\n`;
    case 'yaml':
      return rng.pick([
        () =>
          `${rng.pick(NOUNS)}:\n  replicas: ${rng.range(1, 9)}\n  image: ghcr.io/acme/${rng.pick(NOUNS)}:${rng.range(1, 4)}.${rng.range(0, 20)}.${rng.range(0, 9)}\n`,
        () =>
          `${id()}:\n  enabled: true\n  schedule: "*/${rng.range(5, 30)} * * * *"\n  region: eu-west-${rng.range(1, 3)}\n`,
      ])();
    case 'log':
      return `2024-05-0${rng.range(1, 9)}T1${rng.range(0, 9)}:${rng.range(10, 59)}:${rng.range(10, 59)}.${rng.range(100, 999)}Z ${rng.pick(['INFO', 'DEBUG', 'WARN'])} ${rng.pick(['GET', 'POST'])} /api/v1/${rng.pick(NOUNS)}s/${rng.range(1, 9999)} ${rng.pick([200, 201, 204, 404])} ${rng.range(1, 900)}ms request_id=${rng.chars(HEXL, 16)}\n`;
    case 'markdown':
      return rng.pick([
        () => `## ${cap(rng.pick(ADJECTIVES))} ${rng.pick(NOUNS)}\n\n- ${sentence(rng)}\n- ${sentence(rng)}\n`,
        () =>
          `| ${rng.pick(NOUNS)} | ${rng.pick(ADJECTIVES)} | ${rng.range(1, 99)} |\n| ${rng.pick(NOUNS)} | ${rng.pick(ADJECTIVES)} | ${rng.range(1, 99)} |\n`,
      ])();
    case 'env':
      return `NODE_ENV=production\nPORT=${rng.range(3000, 9000)}\nLOG_LEVEL=${rng.pick(['info', 'debug', 'warn'])}\nFEATURE_${rng.pick(NOUNS).toUpperCase()}=true\n`;
  }
}

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
