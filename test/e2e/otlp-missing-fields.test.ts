import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claudeLogs, listAllEvents, postOtlp } from '../support/otlp.js';
import { startTestSteward, type TestSteward } from '../support/steward.js';

/**
 * OTLP requests that decode but lack fields (DESIGN §10, OTLP "Partial Success"): what Steward does with each, so the
 * behaviour is documented and deliberate. Records it cannot place are rejected through `partialSuccess` with a
 * count and a message naming the field (200, so exporters do not retry them); records that merely lack optional
 * fields are stored with defaults (name "log", kind "other", time = receive time).
 */
let t: TestSteward;

beforeAll(async () => {
  t = await startTestSteward();
});

afterAll(async () => {
  await t?.stop();
});

async function countSession(sessionId: string): Promise<number> {
  return (await listAllEvents(t, { from: Date.now() - 3_600_000, to: Date.now() + 86_400_000, session_id: sessionId }))
    .length;
}

describe('missing fields', () => {
  it('a logRecord without attributes, body or time is stored as a generic "log" event at receive time', async () => {
    const before = Date.now();
    const res = await postOtlp(t, 'logs', JSON.stringify({ resourceLogs: [{ scopeLogs: [{ logRecords: [{}] }] }] }));
    const after = Date.now();
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({});
    const events = await listAllEvents(t, { from: before - 1000, to: after + 1000 });
    const generic = events.filter((e) => e.session_id === null && e.name === 'log');
    expect(generic).toHaveLength(1);
    const e = generic[0];
    expect(e?.kind).toBe('other');
    expect(e?.sequence).toBeNull();
    const time = Date.parse(e?.time ?? '');
    expect(time).toBeGreaterThanOrEqual(before);
    expect(time).toBeLessThanOrEqual(after);
  });

  it('logRecords that are not objects are rejected through OTLP partialSuccess; the valid ones are stored', async () => {
    const good = claudeLogs({ sessionId: 'partial-logs', count: 2 }) as {
      resourceLogs: { scopeLogs: { logRecords: unknown[] }[] }[];
    };
    good.resourceLogs[0]?.scopeLogs[0]?.logRecords.push(42, null, 'x');
    const res = await postOtlp(t, 'logs', JSON.stringify(good));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { partialSuccess: { rejectedLogRecords: number; errorMessage: string } };
    expect(body.partialSuccess.rejectedLogRecords).toBe(3);
    expect(body.partialSuccess.errorMessage).toMatch(/logRecords\[2\] is not an object/);
    expect(await countSession('partial-logs')).toBe(2);
  });

  it('resourceLogs that is not an array → 200 with partialSuccess naming the field', async () => {
    const res = await postOtlp(t, 'logs', JSON.stringify({ resourceLogs: { scopeLogs: [] } }));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      partialSuccess: { rejectedLogRecords: 1, errorMessage: 'resourceLogs must be an array' },
    });
  });

  it('a metric without a name → 200 with partialSuccess counting its rejected data points', async () => {
    const now = `${Date.now()}000000`;
    const request = {
      resourceMetrics: [
        {
          scopeMetrics: [
            {
              metrics: [
                {
                  sum: {
                    aggregationTemporality: 1,
                    dataPoints: [
                      { asInt: 1, timeUnixNano: now },
                      { asInt: 2, timeUnixNano: now },
                    ],
                  },
                },
                { name: 'claude_code.session.count', sum: { aggregationTemporality: 1, dataPoints: [{ asInt: 1 }] } },
              ],
            },
          ],
        },
      ],
    };
    const res = await postOtlp(t, 'metrics', JSON.stringify(request));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { partialSuccess: { rejectedDataPoints: number; errorMessage: string } };
    expect(body.partialSuccess.errorMessage).toMatch(/metric without a name/);
    expect(body.partialSuccess.errorMessage).toMatch(
      /metric claude_code\.session\.count: data point without a value or time/,
    );
    // OTLP: rejected_data_points is "the number of rejected data points" — 2 in the nameless metric + 1 timeless.
    expect(body.partialSuccess.rejectedDataPoints).toBe(3);
  });

  it('a span without ids or start time → 200 with partialSuccess rejectedSpans', async () => {
    const request = { resourceSpans: [{ scopeSpans: [{ spans: [{ name: 'claude_code.interaction' }, 7] }] }] };
    const res = await postOtlp(t, 'traces', JSON.stringify(request));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { partialSuccess: { rejectedSpans: number; errorMessage: string } };
    expect(body.partialSuccess.rejectedSpans).toBe(2);
    expect(body.partialSuccess.errorMessage).toMatch(
      /span "claude_code.interaction" lacks traceId, spanId or startTimeUnixNano/,
    );
  });

  it('an empty request object is a successful no-op', async () => {
    for (const signal of ['logs', 'metrics', 'traces'] as const) {
      const res = await postOtlp(t, signal, '{}');
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({});
    }
  });
});
