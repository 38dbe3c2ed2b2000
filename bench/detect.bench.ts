/**
 * `npm run bench:detect` — detector throughput (MB/s per core: UTF-8 bytes per CPU second of this process) by
 * document size, and precision/recall per type on the labelled corpus, side by side with secretlint 13 (core API,
 * recommended preset, profiler off) on the same documents, with a single V8 regular-expression pass (gitleaks'
 * AWS access-key rule) as a ceiling. Three document sets:
 *   labelled   the corpus (test/support/detect-corpus), dense: a labelled item every ~300 characters;
 *   realistic  the same generator with an item every ~5 KB — text that mostly holds nothing to find;
 *   payloads   real Claude Code payloads (../shared/fixtures: OTLP exports, API requests, hook inputs), cut to size.
 * The throughput budgets (DESIGN §9: ≥ 300 MB/s per core on 1–64 KB text, ≥ 10× secretlint under 1 KB) are
 * checked on `realistic` and `payloads`; the labelled set's figures are reported to show the cost per finding
 * (each labelled item costs microseconds of validation, so text where every 300th character starts one is slower).
 * Also reported, without a budget: the worst case, 100 KB of one hostile unit repeated. Rounds are repeated and the
 * best kept (other processes share these machines). Progress goes to stderr; the last stdout line is one JSON object.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { detectorTypes, type DetectorType } from '../src/contracts/detection.js';
import { compileOrganisationPatterns } from '../src/detect/organisation.js';
import { allDetectorTypes, scan } from '../src/detect/scan.js';
import { generateCorpus, type CorpusDocument } from '../test/support/detect-corpus/generate.js';
import { scoreCorpus } from '../test/support/detect-corpus/score.js';
import { loadSecretlint, secretlintCovers, type PeerFinding } from './peers/secretlint.js';

const ROUND_MS = Number(process.env.BENCH_ROUND_MS ?? 600);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const here = dirname(fileURLToPath(import.meta.url));

const BUCKETS = [
  { name: 'lt_1kb', min: 0, max: 1024, chars: [150, 1000] },
  { name: '1_4kb', min: 1024, max: 4096, chars: [1100, 4000] },
  { name: '4_64kb', min: 4096, max: 65536, chars: [4500, 60000] },
  { name: 'gt_64kb', min: 65536, max: Infinity, chars: [70000, 250000] },
] as const;
type Bucket = (typeof BUCKETS)[number]['name'];

/** Secrets and personal/financial data: the detectors DESIGN §9's budget is about. */
const BUDGET_TYPES = allDetectorTypes.filter((t) => ['secret', 'personal', 'financial'].includes(detectorTypes[t]));

const bytes = (texts: readonly string[]): number => texts.reduce((n, t) => n + Buffer.byteLength(t), 0);
const bucketOf = (text: string): Bucket => {
  const n = Buffer.byteLength(text);
  return (BUCKETS.find((b) => n >= b.min && n < b.max) ?? BUCKETS[3]).name;
};
/** Strings as a hook body parser hands them over: flat, not concatenation trees or slices of a larger string. */
const flat = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

function generated(seed: number, density: number, counts: readonly number[]): CorpusDocument[] {
  const sizes = BUCKETS.map((b, k) => ({ count: counts[k] as number, minChars: b.chars[0], maxChars: b.chars[1] }));
  return flat(generateCorpus({ seed, density, sizes }).documents);
}

/** The shared Claude Code captures, concatenated and cut into documents of each size bucket. */
function payloads(): string[] {
  const root = join(here, '..', '..', 'shared', 'fixtures', 'claude-code');
  const files: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d).sort()) {
      const f = join(d, e);
      if (statSync(f).isDirectory()) walk(f);
      else files.push(readFileSync(f, 'utf8'));
    }
  };
  walk(root);
  const all = files.join('\n');
  const out: string[] = [];
  for (const b of BUCKETS) {
    let at = 0;
    for (let k = 0; k < 120 && at < all.length; k++) {
      const n = b.chars[0] + ((k * 7919) % (b.chars[1] - b.chars[0]));
      out.push(all.slice(at, at + n));
      at += n;
    }
  }
  return flat(out);
}

/** Best of ROUNDS rounds of MB per CPU second for `fn` over `texts`. */
async function rate(texts: readonly string[], fn: (t: string) => unknown): Promise<number> {
  if (texts.length === 0) return 0;
  const total = bytes(texts);
  const async = fn(texts[0] as string) instanceof Promise;
  const pass = async
    ? async (): Promise<void> => {
        for (const t of texts) await fn(t);
      }
    : (): void => {
        for (const t of texts) fn(t); // no await: a microtask per call would cost more than a small scan
      };
  await pass(); // warm up
  let best = 0;
  for (let r = 0; r < ROUNDS; r++) {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    let n = 0;
    do {
      await pass();
      n++;
    } while (performance.now() - t0 < ROUND_MS);
    const cpu = process.cpuUsage(cpu0);
    best = Math.max(best, (total * n) / ((cpu.user + cpu.system) / 1e6) / 1e6);
  }
  return Math.round(best);
}

/** Units whose repetition makes every anchor hit pass a rule's first checks (scan.test.ts checks they stay linear). */
const HOSTILE_UNITS = [
  'api_key=', 'token=', 'password: ', 'password="', '<password>', 'AccountKey=', 'a@b', '@', 'x://u:p@',
  '-----BEGIN RSA PRIVATE KEY-----\n', '\u001b]', 'ignore ', 'ignore previous ', 'you are ', 'the user ', '12345 ',
  '4111 1111 1111 1111 ', 'fe80::1 ', 'k', '_', 'A', '-', ':',
]; // prettier-ignore

const V8_CEILING = /(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}/g;
function v8Pass(text: string): number {
  V8_CEILING.lastIndex = 0;
  let n = 0;
  while (V8_CEILING.exec(text) !== null) n++;
  return n;
}

async function main(): Promise<void> {
  const secretlint = await loadSecretlint();
  const labelled = generated(1, 0.35, [1200, 500, 60, 6]);
  const realistic = generated(2, 0.015, [600, 300, 40, 6]);
  const real = payloads();
  const organisation = compileOrganisationPatterns(generateCorpus({ seed: 1, sizes: [] }).organisation);
  if ('error' in organisation) throw new Error(organisation.error);

  const throughput: Record<string, Record<Bucket, Record<string, number>>> = {};
  const sets = { realistic: realistic.map((d) => d.text), payloads: real, labelled: labelled.map((d) => d.text) };
  for (const [set, texts] of Object.entries(sets)) {
    throughput[set] = {} as Record<Bucket, Record<string, number>>;
    for (const b of BUCKETS) {
      const docs = texts.filter((t) => bucketOf(t) === b.name);
      const row = {
        documents: docs.length,
        steward: await rate(docs, (t) => scan(t, { types: BUDGET_TYPES })),
        steward_all_detectors: await rate(docs, (t) => scan(t, { organisation })),
        secretlint: await rate(docs, (t) => secretlint.lint(t)),
        v8_single_regex_pass: await rate(docs, v8Pass),
      };
      (throughput[set] as Record<Bucket, Record<string, number>>)[b.name] = row;
      process.stderr.write(`${set.padEnd(10)} ${b.name.padEnd(8)} ${JSON.stringify(row)}\n`);
    }
  }

  // Worst case: 100 KB of one hostile unit, all detectors (reported, no budget; DESIGN §9's 100 KB prompt verdict
  // budget of 5 ms p99 is for real prompts). The slowest units make every hit pass a rule's cheap checks.
  const hostile: Record<string, number> = {};
  for (const unit of HOSTILE_UNITS) {
    const text = flat(unit.repeat(Math.ceil(100_000 / unit.length)));
    hostile[JSON.stringify(unit)] = await rate([text], (t) => scan(t, { organisation }));
  }
  const slowest = Object.entries(hostile).sort((a, b) => a[1] - b[1]);
  process.stderr.write(`hostile    slowest ${JSON.stringify(slowest.slice(0, 5))}\n`);

  // Quality on the labelled corpus.
  const ours = labelled.map((d) => scan(d.text, { organisation }));
  const score = scoreCorpus(labelled, ours);
  const peer = await peerScore(labelled, await Promise.all(labelled.map((d) => secretlint.lint(d.text))));
  const quality: Record<string, unknown> = {};
  for (const type of Object.keys(detectorTypes) as DetectorType[]) {
    const s = score.perType[type];
    const p = peer[type];
    quality[type] = {
      labels: s?.labels ?? 0,
      steward_precision: round(s?.precision ?? 1),
      steward_recall: round(s?.recall ?? 1),
      ...(p
        ? {
            secretlint_recall: round(p.recall),
            secretlint_recall_exact_span: round(p.exact),
            secretlint_precision: round(p.precision),
          }
        : {}),
    };
  }

  // Budgets (DESIGN §9).
  const mid = (set: string): number =>
    Math.min(...(['1_4kb', '4_64kb'] as Bucket[]).map((b) => throughput[set]?.[b]?.steward ?? 0));
  const throughputMin = Math.min(mid('realistic'), mid('payloads'));
  const small = (set: string): number =>
    (throughput[set]?.lt_1kb?.steward ?? 0) / Math.max(1, throughput[set]?.lt_1kb?.secretlint ?? 1);
  const speedup = Math.min(small('realistic'), small('payloads'));
  const types = Object.entries(score.perType);
  const recallMin = Math.min(...types.map(([, s]) => s.recall));
  const precisionMin = Math.min(...types.map(([, s]) => s.precision));
  const belowPeer = [...secretlintCovers].filter((t) => (score.perType[t]?.recall ?? 0) < (peer[t]?.recall ?? 0));
  const overlapping = labelled.reduce(
    (n, d, i) =>
      n +
      (ours[i] ?? []).filter(
        (f) => !f.example && d.labels.some((l) => l.type === f.type && l.start < f.end && f.start < l.end),
      ).length,
    0,
  );
  const exact = types.reduce((n, [, s]) => n + s.truePositives, 0);
  const budgets = {
    throughput_1_64kb_mb_s: {
      budget: 300,
      measured: throughputMin,
      on: ['realistic', 'payloads'],
      pass: throughputMin >= 300,
    },
    speedup_vs_secretlint_lt_1kb: {
      budget: 10,
      measured: round(speedup, 1),
      on: ['realistic', 'payloads'],
      labelled: round(small('labelled'), 1),
      pass: speedup >= 10,
    },
    recall_per_type: {
      budget: 0.99,
      min: round(recallMin),
      below: types.filter(([, s]) => s.recall < 0.99).map(([t]) => t),
      pass: recallMin >= 0.99,
    },
    recall_not_below_secretlint: { below: belowPeer, pass: belowPeer.length === 0 },
    precision_per_type: {
      budget: 0.99,
      min: round(precisionMin),
      below: types.filter(([, s]) => s.precision < 0.99).map(([t]) => t),
      pass: precisionMin >= 0.99,
    },
    exact_spans: { findings_on_labels: overlapping, exact, pass: overlapping === exact },
  };
  const result = {
    bench: 'detect',
    node: process.version,
    cpu: cpus()[0]?.model ?? 'unknown',
    peer: `secretlint ${secretlint.version} (@secretlint/secretlint-rule-preset-recommend, profiler off)`,
    corpus: {
      seed: 1,
      documents: labelled.length,
      labels: labelled.reduce((n, d) => n + d.labels.length, 0),
      bytes: bytes(sets.labelled),
    },
    throughput_mb_s_per_core: throughput,
    hostile_100kb_mb_s: {
      slowest_unit: slowest[0]?.[0],
      slowest: slowest[0]?.[1],
      ms_per_100kb: round((0.1 / (slowest[0]?.[1] ?? 1)) * 1000, 1),
      units: hostile,
    },
    quality,
    examples_recall: round(score.examples.recall),
    budgets,
    pass: Object.values(budgets).every((b) => b.pass),
  };
  process.stdout.write(JSON.stringify(result) + '\n');
}

function round(x: number, digits = 4): number {
  return Number(x.toFixed(digits));
}

interface PeerTypeScore {
  recall: number;
  exact: number;
  precision: number;
}

/**
 * secretlint per type: a label counts as found when a secretlint finding of the same type overlaps it (generous:
 * secretlint's AWS secret spans start at the variable name), `exact` when the span is the label's. Findings on
 * published examples, or on a secret of another type, are neither right nor wrong.
 */
function peerScore(
  docs: readonly CorpusDocument[],
  findings: readonly PeerFinding[][],
): Partial<Record<DetectorType, PeerTypeScore>> {
  const out: Partial<Record<DetectorType, PeerTypeScore>> = {};
  for (const type of secretlintCovers) {
    let labels = 0;
    let found = 0;
    let exact = 0;
    let reported = 0;
    let correct = 0;
    docs.forEach((d, i) => {
      const mine = (findings[i] ?? []).filter((f) => f.type === type);
      const live = d.labels.filter((l) => l.type === type && !l.example);
      const examples = d.labels.filter((l) => l.type === type && l.example);
      labels += live.length;
      for (const l of live) {
        if (mine.some((f) => f.start < l.end && l.start < f.end)) found++;
        if (mine.some((f) => f.start === l.start && f.end === l.end)) exact++;
      }
      // Secrets it names differently (the private key inside service-account JSON) are not counted against it.
      const otherSecrets = d.labels.filter((l) => l.type !== type && detectorTypes[l.type] === 'secret');
      for (const f of mine) {
        if (examples.some((l) => f.start < l.end && l.start < f.end)) continue;
        if (otherSecrets.some((l) => f.start < l.end && l.start < f.end)) continue;
        reported++;
        if (live.some((l) => f.start < l.end && l.start < f.end)) correct++;
      }
    });
    out[type] = {
      recall: labels ? found / labels : 1,
      exact: labels ? exact / labels : 1,
      precision: reported ? correct / reported : 1,
    };
  }
  return out;
}

await main();
