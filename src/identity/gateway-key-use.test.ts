import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { engines, openTestStore, type TestStore } from '../../test/support/engines.js';
import { createGatewayKey, GatewayKeyVerifier, type GatewayPrincipal } from './gateway-keys.js';

const HOUR = 3_600_000;

describe.each(engines)('gateway key use (audit: first use per key per hour) on %s', (dialect) => {
  let t: TestStore;
  beforeEach(async () => {
    t = await openTestStore(dialect);
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it('tells the observer of each key’s first accepted request in each hour, and of nothing refused', async () => {
    const a = await createGatewayKey(t.store, 'person', 'ada@example.com', 'ada laptop');
    const b = await createGatewayKey(t.store, 'agent', 'release-bot');
    const seen: [string, number][] = [];
    const keys = new GatewayKeyVerifier(t.store, (p: GatewayPrincipal, now) => seen.push([p.subject, now]));
    const t0 = 1_800_000_000_000 - (1_800_000_000_000 % HOUR);
    await keys.verify(a.key, t0 + 1);
    await keys.verify(a.key, t0 + 2);
    await keys.verify(b.key, t0 + 3);
    await keys.verify(a.key, t0 + HOUR - 1);
    await keys.verify(a.key, t0 + HOUR + 5);
    expect(await keys.verify('sk-steward-gw-not-a-key', t0 + 6)).toBeNull();
    expect(seen).toEqual([
      ['ada@example.com', t0 + 1],
      ['release-bot', t0 + 3],
      ['ada@example.com', t0 + HOUR + 5],
    ]);
  });
});
