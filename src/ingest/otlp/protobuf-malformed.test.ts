import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeLogsRequest, decodeMetricsRequest, decodeTraceRequest, OtlpDecodeError } from './protobuf.js';

// Request bodies are untrusted: whatever arrives, decoding must either return a message or throw OtlpDecodeError
// (mapped to HTTP 400 / gRPC INVALID_ARGUMENT), never another error type that would surface as a 500.
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const fixtureDir = path.resolve(repoRoot, '../shared/fixtures/claude-code/otlp/http-protobuf');
const fixtures = {
  logs: new Uint8Array(readFileSync(path.join(fixtureDir, 'logs.bin'))),
  metrics: new Uint8Array(readFileSync(path.join(fixtureDir, 'metrics.bin'))),
  traces: new Uint8Array(readFileSync(path.join(fixtureDir, 'traces.bin'))),
};
const decoders = { logs: decodeLogsRequest, metrics: decodeMetricsRequest, traces: decodeTraceRequest };
const signals = ['logs', 'metrics', 'traces'] as const;

function decodesOrRejectsCleanly(decode: (buf: Uint8Array) => unknown, buf: Uint8Array): boolean {
  try {
    decode(buf);
    return true;
  } catch (err) {
    return err instanceof OtlpDecodeError && err.message.startsWith('invalid protobuf: ');
  }
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}

function varint(n: number): number[] {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return out;
}

/** ExportLogsServiceRequest whose one log body is an AnyValue arrayValue nested `depth` times. */
function deeplyNestedLogs(depth: number): Uint8Array {
  const headers: number[][] = [];
  let length = 0;
  const wrap = (tag: number) => {
    const header = [tag, ...varint(length)];
    headers.push(header);
    length += header.length;
  };
  for (let i = 0; i < depth; i++) {
    wrap(0x0a); // ArrayValue.values = 1
    wrap(0x2a); // AnyValue.array_value = 5
  }
  wrap(0x2a); // LogRecord.body = 5
  wrap(0x12); // ScopeLogs.log_records = 2
  wrap(0x12); // ResourceLogs.scope_logs = 2
  wrap(0x0a); // ExportLogsServiceRequest.resource_logs = 1
  return Uint8Array.from(headers.reverse().flat());
}

describe('malformed protobuf', () => {
  it.each(signals)('rejects a truncated real %s capture with OtlpDecodeError', (signal) => {
    const bytes = fixtures[signal];
    const err = thrown(() => decoders[signal](bytes.subarray(0, Math.floor(bytes.length / 2))));
    expect(err).toBeInstanceOf(OtlpDecodeError);
    expect((err as Error).message).toMatch(/^invalid protobuf: index out of range/);
    expect((err as Error).cause).toBeInstanceOf(RangeError);
  });

  it('rejects an invalid wire type with OtlpDecodeError', () => {
    // Field 15, wire type 7: no such wire type exists (protobuf encoding spec, "Message Structure").
    const err = thrown(() => decodeLogsRequest(Uint8Array.from([0x7f, 0x01])));
    expect(err).toBeInstanceOf(OtlpDecodeError);
    expect((err as Error).message).toBe('invalid protobuf: invalid wire type 7 at offset 1');
  });

  it('rejects random bytes with OtlpDecodeError', () => {
    const garbage = Buffer.from('this is not protobuf at all, it is a JSON-ish {"resourceLogs": []}');
    expect(thrown(() => decodeLogsRequest(garbage))).toBeInstanceOf(OtlpDecodeError);
  });

  it('turns absurd nesting (stack exhaustion) into OtlpDecodeError instead of crashing', () => {
    const err = thrown(() => decodeLogsRequest(deeplyNestedLogs(200_000)));
    expect(err).toBeInstanceOf(OtlpDecodeError);
    expect((err as Error).cause).toBeInstanceOf(RangeError);
  });

  it('still decodes moderate nesting', () => {
    expect(() => decodeLogsRequest(deeplyNestedLogs(50))).not.toThrow();
  });
});

describe('decoding never throws anything but OtlpDecodeError (property)', () => {
  const numRuns = 500;

  it.each(signals)('%s: arbitrary bytes up to 4 KB', (signal) => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4096 }), (buf) => decodesOrRejectsCleanly(decoders[signal], buf)),
      { numRuns },
    );
  });

  it.each(signals)('%s: bit flips in the real capture', (signal) => {
    const original = fixtures[signal];
    const flip = fc.record({ index: fc.nat({ max: original.length - 1 }), bit: fc.integer({ min: 0, max: 7 }) });
    fc.assert(
      fc.property(fc.array(flip, { minLength: 1, maxLength: 8 }), (flips) => {
        const buf = original.slice();
        for (const { index, bit } of flips) buf[index] = (buf[index] ?? 0) ^ (1 << bit);
        return decodesOrRejectsCleanly(decoders[signal], buf);
      }),
      { numRuns },
    );
  });

  it.each(signals)('%s: truncations of the real capture', (signal) => {
    const original = fixtures[signal];
    fc.assert(
      fc.property(fc.nat({ max: original.length }), (end) =>
        decodesOrRejectsCleanly(decoders[signal], original.subarray(0, end)),
      ),
      { numRuns },
    );
  });
});
