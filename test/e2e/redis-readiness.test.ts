import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSteward, type TestSteward } from '../support/steward.js';

describe('Redis when configured', () => {
  let t: TestSteward;
  beforeAll(async () => {
    t = await startTestSteward({ config: { redisUrl: 'redis://127.0.0.1:6379' } });
  });
  afterAll(async () => {
    await t.stop();
  });

  it('connects at start and is reported ready', async () => {
    const res = await t.api('/readyz', { role: null });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ready', redis: 'connected' });
  });

  it('refuses to start with a clear error when Redis cannot be reached', async () => {
    await expect(startTestSteward({ config: { redisUrl: 'redis://127.0.0.1:1' } })).rejects.toThrow(
      /cannot connect to Redis/,
    );
  });
});
