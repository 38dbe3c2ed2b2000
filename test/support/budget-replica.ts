/**
 * One Steward replica's budget gate in its own process, for the multi-replica budget tests
 * (src/budgets/budget-replicas.test.ts). It opens its own PostgreSQL pool and Redis connection, waits for the
 * common start time, runs `cycles` admit→settle cycles all at once (each settles a random actual ≤ its estimate
 * after a random delay), flushes, and prints one JSON line: { admitted, refused, settled }.
 * With `crash: true` it admits and exits without settling or releasing anything (a replica that died).
 *
 * Usage: node --import tsx test/support/budget-replica.ts '<json options>'
 */
import { Redis } from 'ioredis';
import { createBudgetGate } from '../../src/budgets/budget-gate.js';
import type { BudgetSubject } from '../../src/contracts/budget.js';
import { openStore } from '../../src/store/store.js';
import { subject } from './budget-rig.js';

interface Options {
  databaseUrl: string;
  pgSchema: string;
  redisUrl: string;
  orgId: string;
  cycles: number;
  estimateMicros: number;
  startAt: number;
  crash?: boolean;
  reservationTtlMs?: number;
  /** Who the requests are for (default: Ann of team Platform). */
  subject?: Partial<BudgetSubject>;
}

const o = JSON.parse(process.argv[2] ?? '{}') as Options;
const store = await openStore({ dataDir: '/nonexistent', databaseUrl: o.databaseUrl, pgSchema: o.pgSchema });
const redis = new Redis(o.redisUrl, { maxRetriesPerRequest: 1 });
const gate = await createBudgetGate({
  store,
  redis,
  orgId: o.orgId,
  ...(o.reservationTtlMs ? { reservationTtlMs: o.reservationTtlMs } : {}),
});
await new Promise((r) => setTimeout(r, Math.max(0, o.startAt - Date.now())));
let admitted = 0;
let refused = 0;
let settled = 0;
const estimate = { micros: o.estimateMicros, tokens: 0 };
await Promise.all(
  Array.from({ length: o.cycles }, async () => {
    const v = await gate.admit(subject(o.subject), estimate);
    if (v.outcome !== 'allow') {
      refused += 1;
      return;
    }
    admitted += 1;
    if (o.crash) return;
    await new Promise((r) => setTimeout(r, Math.random() * 20));
    const actual = Math.floor(Math.random() * (o.estimateMicros + 1));
    settled += actual;
    await gate.settle(v.reservation, { micros: actual, tokens: 0 });
  }),
);
process.stdout.write(JSON.stringify({ admitted, refused, settled }) + '\n');
if (o.crash) process.exit(0);
await gate.close();
redis.disconnect();
await store.close();
