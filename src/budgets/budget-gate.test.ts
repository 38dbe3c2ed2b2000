import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { backends, newRedis, openBudgetRig, subject, usd, type BudgetRig } from '../../test/support/budget-rig.js';
import type { BudgetVerdict, Reservation } from '../contracts/budget.js';
import { readBudgetSpend } from '../store/budgets.repo.js';
import { pauseBudgetScope, setBudget, type BudgetSpec } from './budget-admin.js';
import { windowBounds } from './budget-windows.js';

/**
 * The gate's semantics, the same on every backend: in-process counters and Redis counters, each on SQLite and
 * PostgreSQL. Times are passed explicitly (future times: Redis key expiries are real).
 */
const HOUR = 3_600_000;
const ann = subject();

function allowed(v: BudgetVerdict): Reservation {
  if (v.outcome !== 'allow') throw new Error(`expected allow, got ${v.outcome}: ${'message' in v ? v.message : ''}`);
  return v.reservation;
}

describe.each(backends)('budget gate on %s with %s counters', (dialect, backend) => {
  let rig: BudgetRig;
  beforeEach(async () => {
    rig = await openBudgetRig(dialect, backend, { reservationTtlMs: 60_000 });
  });
  afterEach(async () => {
    await rig.cleanup();
  });

  const set = async (spec: Partial<BudgetSpec> & Pick<BudgetSpec, 'scope'>) => {
    const r = await setBudget(
      rig.store,
      rig.orgId,
      { window: 'daily', action: 'block', limit_usd: 1, ...spec } as BudgetSpec,
      'test',
    );
    await rig.gate.definitionsChanged();
    return r.record;
  };

  it('reserves estimates until the limit, blocks beyond it with the education message, settles the actual', async () => {
    expect(rig.gate.mode).toBe(backend);
    const now = Date.now();
    await set({ scope: 'team:Platform' });
    const a = allowed(await rig.gate.admit(ann, usd(0.4), now));
    allowed(await rig.gate.admit(ann, usd(0.4), now));
    const refused = await rig.gate.admit(ann, usd(0.4), now);
    expect(refused).toMatchObject({
      outcome: 'block',
      state: { spent: 0, reserved: 800_000, remaining: 200_000 },
      message:
        "Your team's daily Claude budget of $1.00 is used up. It resets at 00:00 UTC. " +
        'Ask your team lead or your Claude administrator if you need more.',
    });
    // Settling a at its actual cost (less than estimated) makes room for the third request.
    await rig.gate.settle(a, usd(0.1), now);
    allowed(await rig.gate.admit(ann, usd(0.4), now));
    const [state] = await rig.gate.states(ann, now);
    expect(state).toMatchObject({ spent: 100_000, reserved: 800_000, remaining: 100_000 });
    expect(state?.windowStart).toBe(windowBounds('daily', now).start);
    // Someone outside the team is not held by the team's budget.
    allowed(await rig.gate.admit(subject({ team: 'Data', email: 'bo@example.com' }), usd(5), now));
  });

  it('frees capacity on release, and settles or releases a reservation only once', async () => {
    const now = Date.now();
    await set({ scope: 'person:Ann@Example.com' });
    const a = allowed(await rig.gate.admit(ann, usd(1), now));
    expect((await rig.gate.admit(ann, usd(0.01), now)).outcome).toBe('block');
    await rig.gate.release(a);
    await rig.gate.release(a);
    await rig.gate.settle(a, usd(1), now);
    const b = allowed(await rig.gate.admit(ann, usd(0.6), now));
    await rig.gate.settle(b, usd(0.5), now);
    await rig.gate.settle(b, usd(0.5), now);
    expect((await rig.gate.states(ann, now))[0]).toMatchObject({ spent: 500_000, reserved: 0 });
  });

  it('frees the reservations of a crashed replica after the TTL', async () => {
    const now = Date.now();
    await set({ scope: 'org' });
    // A replica reserves and dies: nothing ever settles or releases this reservation.
    allowed(await rig.gate.admit(ann, usd(0.9), now));
    expect((await rig.gate.admit(ann, usd(0.2), now + 59_000)).outcome).toBe('block');
    allowed(await rig.gate.admit(ann, usd(0.2), now + 60_001));
  });

  it('starts a fresh calendar window at the reset, and charges a straddling request to the day it started', async () => {
    const midnight = windowBounds('daily', Date.now()).end + 86_400_000;
    await set({ scope: 'team:Platform' });
    const late = allowed(await rig.gate.admit(ann, usd(0.9), midnight - 1));
    expect((await rig.gate.admit(ann, usd(0.2), midnight - 1)).outcome).toBe('block');
    allowed(await rig.gate.admit(ann, usd(0.9), midnight));
    await rig.gate.settle(late, usd(0.9), midnight + 5000);
    const [today] = await rig.gate.states(ann, midnight + 5000);
    expect(today).toMatchObject({ spent: 0, reserved: 900_000, windowStart: midnight });
    const [yesterday] = await rig.gate.states(ann, midnight - 1);
    expect(yesterday).toMatchObject({ spent: 900_000, windowStart: midnight - 86_400_000 });
  });

  it('drops spend out of the rolling 5 h window five hours after it settled', async () => {
    const t0 = Date.now();
    await set({ scope: 'team:Platform', window: '5h' });
    const r = allowed(await rig.gate.admit(ann, usd(1), t0));
    await rig.gate.settle(r, usd(0.8), t0);
    const later = allowed(await rig.gate.admit(ann, usd(0.2), t0 + HOUR));
    await rig.gate.settle(later, usd(0.2), t0 + HOUR);
    expect((await rig.gate.admit(ann, usd(0.1), t0 + 4 * HOUR)).outcome).toBe('block');
    // Just under five hours on, t0's minute still counts; once it has passed, its 0.8 is gone, the 0.2 is not.
    expect((await rig.gate.admit(ann, usd(0.1), t0 + 5 * HOUR - 61_000)).outcome).toBe('block');
    const v = await rig.gate.admit(ann, usd(0.8), t0 + 5 * HOUR);
    expect(allowed(v).holds[0]?.amount).toBe(800_000);
    expect((await rig.gate.states(ann, t0 + 5 * HOUR))[0]).toMatchObject({ spent: 200_000, reserved: 800_000 });
    expect((await rig.gate.admit(ann, usd(0.1), t0 + 5 * HOUR)).outcome).toBe('block');
  });

  it('forgets rolling spend after a long idle gap (every minute bucket left the window at once)', async () => {
    const t0 = Date.now();
    await set({ scope: 'team:Platform', window: '5h' });
    for (const dt of [0, 30 * 60_000, 2 * HOUR]) {
      await rig.gate.settle(allowed(await rig.gate.admit(ann, usd(0.3), t0 + dt)), usd(0.3), t0 + dt);
    }
    expect((await rig.gate.states(ann, t0 + 2 * HOUR))[0]).toMatchObject({ spent: 900_000 });
    expect((await rig.gate.states(ann, t0 + 11 * HOUR))[0]).toMatchObject({ spent: 0 });
    allowed(await rig.gate.admit(ann, usd(1), t0 + 11 * HOUR));
  });

  it('throttles once the limit is reached: the rate per minute, then retry-after until the next minute', async () => {
    const minute = (Math.floor(Date.now() / 60_000) + 2) * 60_000;
    await set({ scope: 'team:Platform', action: 'throttle', limit_usd: 0.5, rate: { requests_per_minute: 2 } });
    const first = allowed(await rig.gate.admit(ann, usd(0.5), minute));
    await rig.gate.settle(first, usd(0.5), minute);
    allowed(await rig.gate.admit(ann, usd(0.1), minute + 1000));
    allowed(await rig.gate.admit(ann, usd(0.1), minute + 2000));
    const slowed = await rig.gate.admit(ann, usd(0.1), minute + 50_000);
    expect(slowed).toMatchObject({ outcome: 'throttle', retryAfterSeconds: 10 });
    expect(slowed.outcome === 'throttle' && slowed.message).toMatch(/slowed to 2 requests a minute/);
    allowed(await rig.gate.admit(ann, usd(0.1), minute + 60_000));
  });

  it('throttles on tokens per minute too', async () => {
    const minute = (Math.floor(Date.now() / 60_000) + 2) * 60_000;
    await set({
      scope: 'org',
      action: 'throttle',
      limit_tokens: 0,
      limit_usd: undefined,
      rate: { tokens_per_minute: 1000 },
    });
    allowed(await rig.gate.admit(ann, { micros: 0, tokens: 600 }, minute));
    expect((await rig.gate.admit(ann, { micros: 0, tokens: 600 }, minute + 1)).outcome).toBe('throttle');
    allowed(await rig.gate.admit(ann, { micros: 0, tokens: 400 }, minute + 2));
  });

  it('warns past warn_at without refusing; the most restrictive outcome wins', async () => {
    const now = Date.now();
    await set({ scope: 'person:ann@example.com', action: 'warn', limit_usd: 1, warn_at: 0.5 });
    const none = await rig.gate.admit(ann, usd(0.4), now);
    expect(none.outcome === 'allow' && none.warnings).toEqual([]);
    const warned = await rig.gate.admit(ann, usd(0.4), now);
    expect(warned.outcome === 'allow' && warned.warnings.map((w) => [w.budget.action, w.reserved])).toEqual([
      ['warn', 800_000],
    ]);
    allowed(await rig.gate.admit(ann, usd(5), now));
    await set({ scope: 'team:Platform', action: 'throttle', limit_usd: 0, rate: { requests_per_minute: 1 } });
    await set({ scope: 'department:Engineering', action: 'block', limit_usd: 0.1 });
    expect((await rig.gate.admit(ann, usd(0.2), now)).outcome).toBe('block');
    await pauseBudgetScope(rig.store, rig.orgId, 'team:Platform', true, 'test');
    await rig.gate.definitionsChanged();
    expect((await rig.gate.admit(ann, usd(0.2), now)).outcome).toBe('paused');
  });

  it('pauses and resumes a scope with no budget (the agent kill switch)', async () => {
    const bot = subject({ agent: 'release-bot' });
    await pauseBudgetScope(rig.store, rig.orgId, 'agent:release-bot', true, 'test');
    await rig.gate.definitionsChanged();
    expect(await rig.gate.admit(bot, usd(0), Date.now())).toMatchObject({
      outcome: 'paused',
      message:
        'The agent "release-bot"\'s access to Claude is paused by an administrator. Ask your Claude administrator to resume it.',
    });
    allowed(await rig.gate.admit(ann, usd(1), Date.now()));
    await pauseBudgetScope(rig.store, rig.orgId, 'agent:release-bot', false, 'test');
    await rig.gate.definitionsChanged();
    allowed(await rig.gate.admit(bot, usd(1), Date.now()));
  });

  it('keeps settled spend across a restart and a Redis emptied meanwhile (counters start from the store)', async () => {
    const now = Date.now();
    const b = await set({ scope: 'team:Platform', window: 'monthly' });
    const r = allowed(await rig.gate.admit(ann, usd(0.7), now));
    await rig.gate.settle(r, usd(0.6), now);
    await rig.gate.close();
    expect(await readBudgetSpend(rig.store.db, rig.orgId, b.id, 0, Infinity)).toEqual([
      { bucketStart: windowBounds('monthly', now).start, amount: 600_000 },
    ]);
    await rig.wipeRedis();
    const restarted = await rig.openGate();
    expect((await restarted.states(ann, now))[0]).toMatchObject({ spent: 600_000, reserved: 0 });
    expect((await restarted.admit(ann, usd(0.5), now)).outcome).toBe('block');
    allowed(await restarted.admit(ann, usd(0.4), now));
  });

  it('holds under 500 concurrent admit→settle cycles: admitted estimates never pass the limit', async () => {
    const b = await set({ scope: 'team:Platform', limit_usd: 2 });
    const estimate = usd(0.05);
    let settled = 0;
    let admitted = 0;
    await Promise.all(
      Array.from({ length: 500 }, async () => {
        const v = await rig.gate.admit(ann, estimate);
        if (v.outcome !== 'allow') return;
        admitted += 1;
        await new Promise((r) => setTimeout(r, Math.random() * 20));
        const actual = Math.floor(Math.random() * (estimate.micros + 1));
        settled += actual;
        await rig.gate.settle(v.reservation, { micros: actual, tokens: 0 });
      }),
    );
    const [state] = await rig.gate.states(ann);
    expect(state?.reserved).toBe(0);
    expect(state?.spent).toBe(settled);
    expect(settled).toBeLessThanOrEqual(2_000_000);
    expect(admitted).toBeGreaterThanOrEqual(40);
    await rig.gate.flush();
    const stored = await readBudgetSpend(rig.store.db, rig.orgId, b.id, 0, Infinity);
    expect(stored.reduce((s, r) => s + r.amount, 0)).toBe(settled);
  });

  it('ends the window exactly at the limit when every request costs its whole estimate', async () => {
    await set({ scope: 'org', limit_usd: 2 });
    const results = await Promise.all(
      Array.from({ length: 500 }, async () => {
        const v = await rig.gate.admit(ann, usd(0.05));
        if (v.outcome === 'allow') await rig.gate.settle(v.reservation, usd(0.05));
        return v.outcome;
      }),
    );
    expect(results.filter((o) => o === 'allow')).toHaveLength(40);
    expect((await rig.gate.states(ann))[0]).toMatchObject({ spent: 2_000_000, reserved: 0, remaining: 0 });
  });

  it.runIf(backend === 'redis')(
    'records settled spend in the store when Redis is gone, and refuses to admit blind',
    async () => {
      const b = await set({ scope: 'team:Platform' });
      const own = newRedis();
      const gate = await rig.openGate({ redis: own });
      const v = allowed(await gate.admit(ann, usd(0.5)));
      own.disconnect();
      await expect(gate.settle(v, usd(0.3))).rejects.toThrow(/closed/i);
      await expect(gate.admit(ann, usd(0.1))).rejects.toThrow();
      await gate.flush();
      expect(await readBudgetSpend(rig.store.db, rig.orgId, b.id, 0, Infinity)).toEqual([
        { bucketStart: windowBounds('daily', Date.now()).start, amount: 300_000 },
      ]);
    },
  );
});
