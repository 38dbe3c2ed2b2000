import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { engines } from '../support/engines.js';
import { claudeLogs, kv, postOtlp, parseError, type AnyValue } from '../support/otlp.js';
import { fixtureBytes, fixtureJson } from '../support/fixtures.js';
import { startTestSteward, type TestSteward } from '../support/steward.js';

/**
 * DESIGN §10: every OTLP parser survives fuzzing with a 4xx, never a crash. Arbitrary JSON, OTLP-shaped JSON with
 * arbitrary leaves, mutations of the real Claude Code captures, random bytes and mutated protobuf captures are POSTed
 * over real HTTP; every answer must be 200 (stored, or OTLP partialSuccess) or a catalogued 4xx — never a 5xx —
 * and afterwards the read API still answers. Runs on both engines: a value SQLite's type affinity swallows can
 * still break a PostgreSQL column.
 */
type Signal = 'logs' | 'metrics' | 'traces';
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = (string | number)[];

const signals: readonly Signal[] = ['logs', 'metrics', 'traces'];
const DAY = 86_400_000;
const jsonFixtures: Record<Signal, Json> = {
  logs: fixtureJson('otlp/http-json/logs.json') as Json,
  metrics: fixtureJson('otlp/http-json/metrics.json') as Json,
  traces: fixtureJson('otlp/http-json/traces.json') as Json,
};
const protobufFixtures: Record<Signal, Buffer> = {
  logs: fixtureBytes('otlp/http-protobuf/logs.bin'),
  metrics: fixtureBytes('otlp/http-protobuf/metrics.bin'),
  traces: fixtureBytes('otlp/http-protobuf/traces.bin'),
};

/** 200, or a 4xx with the `{error:{code,message}}` body; anything else fails the property. */
async function expectClean(res: Response, allowed: readonly number[] = [200, 400, 413, 415]): Promise<void> {
  const bytes = Buffer.from(await res.arrayBuffer());
  const text = bytes.toString('utf8');
  expect(allowed, `HTTP ${res.status}: ${text.slice(0, 300)}`).toContain(res.status);
  if (res.status === 200 && res.headers.get('content-type') === 'application/x-protobuf') return; // Export*ServiceResponse
  if (res.status === 200) {
    const body = JSON.parse(text) as Record<string, unknown>;
    expect(Object.keys(body).every((k) => k === 'partialSuccess')).toBe(true);
  } else {
    const error = parseError(bytes, res.headers.get('content-type'));
    expect(error, `unrecognisable error body: ${text.slice(0, 200)}`).not.toBeNull();
    expect(error?.message.length).toBeGreaterThan(0);
  }
}

function allPaths(value: Json, prefix: Path = [], out: Path[] = []): Path[] {
  out.push(prefix);
  if (Array.isArray(value)) value.forEach((v, i) => allPaths(v, [...prefix, i], out));
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) allPaths(v, [...prefix, k], out);
  }
  return out;
}

const fixturePaths: Record<Signal, Path[]> = {
  logs: allPaths(jsonFixtures.logs),
  metrics: allPaths(jsonFixtures.metrics),
  traces: allPaths(jsonFixtures.traces),
};

type MutationOp = 'delete' | 'replace' | 'wrap' | 'null' | 'stringify' | 'duplicate';
interface Mutation {
  at: number;
  op: MutationOp;
  value: Json;
}

/** Values that have broken receivers before: out-of-range numbers, fractions where integers go, NUL, huge ids. */
const nasty: Json[] = [
  '1' + '0'.repeat(30),
  '18446744073709551615',
  '-1',
  -1,
  0,
  1.5,
  1e300,
  -1e300,
  Number.MAX_SAFE_INTEGER + 2,
  '',
  'NaN',
  'a\u0000b',
  '\ud800',
  'x'.repeat(70_000),
  { stringValue: 'a\u0000b' },
  { intValue: '99999999999999999999999' },
  { intValue: 1.5 },
  { doubleValue: 1e300 },
  { arrayValue: { values: [{ arrayValue: { values: [] } }] } },
  { kvlistValue: { values: [{ key: 'k', value: { stringValue: 'v' } }] } },
  [],
  {},
];
const leaf: fc.Arbitrary<Json> = fc.oneof(
  { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json> },
  { weight: 2, arbitrary: fc.constantFrom(...nasty) },
);

const mutation: fc.Arbitrary<Mutation> = fc.record({
  at: fc.nat(),
  op: fc.constantFrom<MutationOp>('delete', 'replace', 'wrap', 'null', 'stringify', 'duplicate'),
  value: leaf,
});

function mutate(fixture: Json, paths: Path[], mutations: Mutation[]): Json {
  let root = structuredClone(fixture);
  for (const m of mutations) {
    const path = paths[m.at % paths.length] as Path;
    if (path.length === 0) {
      root = m.op === 'wrap' ? [root] : m.op === 'replace' ? m.value : m.op === 'null' ? null : root;
      continue;
    }
    let parent: Json = root;
    for (const key of path.slice(0, -1)) {
      if (parent === null || typeof parent !== 'object') break;
      parent = (parent as Record<string | number, Json>)[key] ?? null;
    }
    if (parent === null || typeof parent !== 'object') continue; // an earlier mutation removed this path
    const key = path[path.length - 1] as string | number;
    const container = parent as Record<string | number, Json>;
    const current = container[key];
    if (current === undefined) continue;
    if (m.op === 'delete') {
      if (Array.isArray(parent) && typeof key === 'number') parent.splice(key, 1);
      else delete container[key];
    } else if (m.op === 'replace') container[key] = m.value;
    else if (m.op === 'wrap') container[key] = [current];
    else if (m.op === 'null') container[key] = null;
    else if (m.op === 'stringify') container[key] = JSON.stringify(current);
    else if (Array.isArray(parent) && typeof key === 'number') parent.splice(key, 0, structuredClone(current));
    else container[key] = [current, structuredClone(current)];
  }
  return root;
}

/** OTLP-shaped JSON: objects keyed by OTLP/JSON field names, so generated values reach the normalisers. */
const otlpKeys = [
  'resourceLogs',
  'resourceMetrics',
  'resourceSpans',
  'resource',
  'attributes',
  'scopeLogs',
  'scopeMetrics',
  'scopeSpans',
  'logRecords',
  'metrics',
  'spans',
  'events',
  'name',
  'body',
  'eventName',
  'timeUnixNano',
  'observedTimeUnixNano',
  'startTimeUnixNano',
  'endTimeUnixNano',
  'traceId',
  'spanId',
  'parentSpanId',
  'status',
  'code',
  'key',
  'value',
  'stringValue',
  'intValue',
  'doubleValue',
  'boolValue',
  'arrayValue',
  'kvlistValue',
  'bytesValue',
  'values',
  'sum',
  'gauge',
  'histogram',
  'dataPoints',
  'asInt',
  'asDouble',
  'aggregationTemporality',
  'severityText',
];
const attributeKeys = [
  'session.id',
  'event.name',
  'event.sequence',
  'event.timestamp',
  'user.email',
  'user.account_uuid',
  'user.id',
  'service.name',
  'input_tokens',
  'output_tokens',
  'cost_usd',
  'duration_ms',
  'model',
  'tool_name',
  'success',
  'type',
  'prompt',
  'tool_parameters',
  'gen_ai.operation.name',
  'gen_ai.usage.input_tokens',
];
const otlpish: fc.Arbitrary<Json> = fc.letrec<{ node: Json }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.array(tie('node'), { maxLength: 4 }),
    fc.dictionary(fc.constantFrom(...otlpKeys), tie('node'), { maxKeys: 5 }),
    fc.record({ key: fc.constantFrom(...attributeKeys), value: tie('node') }),
  ),
})).node;

async function readApiAnswers(t: TestSteward): Promise<void> {
  const now = Date.now();
  for (const path of [
    '/api/v1/status',
    '/api/v1/sessions',
    '/api/v1/people',
    `/api/v1/events?from=${now - 90 * DAY}&to=${now + DAY}&limit=500`,
    `/api/v1/usage/summary?from=${now - 90 * DAY}&to=${now + DAY}&group_by=person`,
  ]) {
    const res = await t.api(path, { role: 'analyst' });
    expect(res.status, `${path} → ${res.status} ${(await res.clone().text()).slice(0, 200)}`).toBe(200);
    await res.arrayBuffer();
  }
}

const RUNS = 150;

describe.each(engines)('OTLP fuzzing on %s', (dialect) => {
  let t: TestSteward;

  beforeAll(async () => {
    t = await startTestSteward({ dialect, config: { ingest: { maxAttributeBytes: 8192 } } });
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('arbitrary JSON values → 200 or 400, never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...signals), fc.jsonValue({ maxDepth: 5 }), async (signal, value) => {
        await expectClean(await postOtlp(t, signal, JSON.stringify(value)), [200, 400]);
      }),
      { numRuns: RUNS },
    );
  });

  it('OTLP-shaped JSON with arbitrary leaves → 200 or 400, never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...signals), otlpish, async (signal, value) => {
        await expectClean(await postOtlp(t, signal, JSON.stringify(value)), [200, 400]);
      }),
      { numRuns: RUNS * 2 },
    );
  });

  it('mutated real Claude Code captures (keys dropped, types changed, wrapped) → 200 or 400, never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...signals),
        fc.constantFrom(...signals),
        fc.array(mutation, { minLength: 1, maxLength: 6 }),
        async (fixture, target, mutations) => {
          const body = mutate(jsonFixtures[fixture], fixturePaths[fixture], mutations);
          await expectClean(await postOtlp(t, target, JSON.stringify(body)), [200, 400]);
        },
      ),
      { numRuns: RUNS * 2 },
    );
  });

  it('random bytes as protobuf (and as gzip) → 200 or 400, never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...signals),
        fc.uint8Array({ maxLength: 2048 }),
        fc.boolean(),
        async (signal, bytes, gzip) => {
          const res = await postOtlp(t, signal, bytes, {
            contentType: 'application/x-protobuf',
            ...(gzip ? { encoding: 'gzip' } : {}),
          });
          await expectClean(res, [200, 400]);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('mutated real protobuf captures (bytes flipped, inserted, removed, truncated) → 200 or 400, never a 5xx', async () => {
    const edit = fc.record({
      at: fc.nat(),
      kind: fc.constantFrom('flip', 'insert', 'remove', 'truncate'),
      bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...signals),
        fc.array(edit, { minLength: 1, maxLength: 8 }),
        async (signal, edits) => {
          let buf = Buffer.from(protobufFixtures[signal]);
          for (const e of edits) {
            const at = e.at % Math.max(1, buf.length);
            if (e.kind === 'flip') buf[at] = e.bytes[0] as number;
            else if (e.kind === 'insert') buf = Buffer.concat([buf.subarray(0, at), e.bytes, buf.subarray(at)]);
            else if (e.kind === 'remove') buf = Buffer.concat([buf.subarray(0, at), buf.subarray(at + e.bytes.length)]);
            else buf = buf.subarray(0, at);
          }
          await expectClean(await postOtlp(t, signal, buf, { contentType: 'application/x-protobuf' }), [200, 400]);
        },
      ),
      { numRuns: RUNS * 2 },
    );
  });

  it('after the fuzzing the server is healthy and the read API answers', async () => {
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
    await readApiAnswers(t);
  });
});

// Targeted cases the fuzzer found. Each one is a value that decodes fine but does not fit the canonical model
// (integer columns, epoch-ms times, PostgreSQL text/btree limits). Acceptable answers: stored as something sane,
// or rejected through OTLP partialSuccess. Not acceptable: a 5xx (store_unavailable is retryable, so an exporter
// would resend the poisoned batch forever) or a record that breaks the read API afterwards.
const poison: [string, { key: string; value: AnyValue }[], Record<string, unknown>][] = [
  ['a timestamp beyond the JavaScript Date range', [], { timeUnixNano: '1' + '0'.repeat(30) }],
  ['a numeric timestamp of 1e300 ns', [], { timeUnixNano: 1e300 }],
  ['fractional input_tokens', [kv('event.name', 'api_request'), kv('input_tokens', 1.5)], {}],
  ['input_tokens of 1e300', [kv('event.name', 'api_request'), kv('input_tokens', 1e300)], {}],
  ['a fractional event.sequence', [kv('event.sequence', 1.5)], {}],
  ['a NUL character in the model name', [kv('model', 'claude\u0000')], {}],
  ['a NUL character in session.id', [kv('session.id', 'poison-\u0000-session')], {}],
  ['an 8 KB random session.id', [kv('session.id', randomBytes(4096).toString('hex'))], {}],
  ['an 8 KB random user.email', [kv('user.email', randomBytes(4096).toString('hex') + '@example.com')], {}],
];

describe.each(engines)('values that do not fit the canonical model, on %s', (dialect) => {
  let t: TestSteward;

  beforeEach(async () => {
    t = await startTestSteward({ dialect });
  });
  afterEach(async () => {
    await t?.stop();
  });

  it.each(poison)(
    'a record with %s → 200 and the read API keeps answering',
    async (_name, attributes, recordFields) => {
      const request = claudeLogs({ sessionId: `poison-${randomBytes(4).toString('hex')}`, count: 1 }) as {
        resourceLogs: { scopeLogs: { logRecords: { attributes: { key: string }[] }[] }[] }[];
      };
      const record = request.resourceLogs[0]?.scopeLogs[0]?.logRecords[0] as { attributes: { key: string }[] };
      const overridden = new Set(attributes.map((a) => a.key));
      record.attributes = [...record.attributes.filter((a) => !overridden.has(a.key)), ...attributes];
      Object.assign(record, recordFields);
      await expectClean(await postOtlp(t, 'logs', JSON.stringify(request)), [200]);
      await readApiAnswers(t);
    },
  );

  it('one poisoned export does not fail the healthy exports committed in the same group', async () => {
    const healthy = Array.from({ length: 12 }, (_, i) =>
      postOtlp(t, 'logs', JSON.stringify(claudeLogs({ sessionId: `neighbour-${dialect}-${i}`, count: 50 }))),
    );
    const poisoned = postOtlp(
      t,
      'logs',
      JSON.stringify(claudeLogs({ sessionId: 'neighbour-poison', count: 1, extra: [kv('event.sequence', 0.5)] })),
    );
    const statuses = await Promise.all([...healthy, poisoned].map(async (p) => (await p).status));
    expect(statuses.slice(0, -1)).toEqual(Array.from({ length: 12 }, () => 200));
  });
});
