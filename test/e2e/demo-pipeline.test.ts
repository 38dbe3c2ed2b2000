import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendDemo } from '../../src/cli/demo/send.js';
import { startTestSteward, type TestSteward } from '../support/steward.js';

/** `steward demo` feeds the real pipeline: real exporters → real receivers → store → API, labelled as demo data. */
describe('steward demo into a real Steward', () => {
  let t: TestSteward;
  beforeAll(async () => {
    t = await startTestSteward();
  });
  afterAll(async () => {
    await t.stop();
  });

  it('stores every generated event, labelled, with people in the listed departments', async () => {
    const endMs = Date.parse('2026-11-20T18:00:00Z');
    const summary = await sendDemo({
      protocol: 'http/protobuf',
      endpoint: t.url,
      token: t.tokens.ingest,
      people: 8,
      days: 3,
      seed: 7,
      endMs,
    });
    expect(summary.events).toBeGreaterThan(0);
    const status = (await (await t.api('/api/v1/status')).json()) as {
      people: number;
      events: number;
      sessions: number;
    };
    expect(status.events).toBe(summary.events);
    expect(status.sessions).toBe(summary.sessions);
    // Only people who had adopted Claude inside the window appear; the summary counts the whole organisation.
    expect(status.people).toBeGreaterThan(0);
    expect(status.people).toBeLessThanOrEqual(summary.people);
    const people = (await (await t.api('/api/v1/people?limit=50')).json()) as {
      items: { is_demo: boolean; department: string | null }[];
    };
    expect(people.items.every((p) => p.is_demo)).toBe(true);
    expect(people.items.every((p) => p.department !== null)).toBe(true);
    // Re-sending the same seed for the same window adds nothing (dedupe keys).
    await sendDemo({
      protocol: 'http/json',
      endpoint: t.url,
      token: t.tokens.ingest,
      people: 8,
      days: 3,
      seed: 7,
      endMs,
    });
    const again = (await (await t.api('/api/v1/status')).json()) as { events: number };
    expect(again.events).toBe(summary.events);
  });
});
