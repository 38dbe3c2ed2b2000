import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseCheckpoint } from '../../src/audit/checkpoint.js';
import { verifyConsistency, verifyInclusion } from '../../src/audit/merkle-proofs.js';
import { verifyNote } from '../../src/audit/signed-note.js';
import type { SearchPage } from '../../src/audit/vault-search.js';
import { engines } from '../support/engines.js';
import { startTestSteward, type TestSteward } from '../support/steward.js';

/**
 * The vault over HTTP (issue 7): ingest seals what it stores, a checkpoint is signed on demand and verifies with
 * the published key, proofs served by the API verify against it, and forensic search shows each result's status.
 */
describe.each(engines)('audit vault over REST on %s', (dialect) => {
  let s: TestSteward;
  beforeEach(async () => {
    s = await startTestSteward({ dialect, config: { audit: { checkpointIntervalMs: 0 } } });
  });
  afterEach(async () => {
    await s.stop();
  });

  it('seals ingested activity, signs checkpoints that verify with the public key, and serves proofs', async () => {
    await s.sendCaptures();
    const pub = await fetch(`${s.url}/api/v1/audit/pubkey`); // public: no token
    expect(pub.status).toBe(200);
    const keys = (await pub.text()).trim().split('\n');
    expect(keys[0]).toMatch(/^steward\/[0-9a-f]{16}\+[0-9a-f]{8}\+[A-Za-z0-9+/=]+$/);

    const signed = await s.api('/api/v1/audit/checkpoint', { method: 'POST' });
    expect(signed.status).toBe(201);
    const cp = (await signed.json()) as { size: number; root: string; note: string; origin: string };
    expect(cp.size).toBeGreaterThanOrEqual(2); // a seal per commit that stored events (retries store nothing new)
    const text = verifyNote(cp.note, keys);
    expect(text).not.toBeNull();
    const parsed = parseCheckpoint(text as string);
    expect(parsed).toMatchObject({ origin: cp.origin, size: cp.size });
    expect(parsed.root.toString('base64')).toBe(cp.root);
    expect(await s.getJson<{ size: number }>('/api/v1/audit/checkpoint')).toMatchObject({ size: cp.size });

    const seals = await s.getJson<SearchPage>('/api/v1/audit?action=activity.seal&limit=500');
    expect(seals.items.length).toBeGreaterThanOrEqual(2);
    const events = await s.steward.store.db
      .selectFrom('events')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    const sealed = seals.items.reduce((n, i) => n + ((i.entry?.details as { count: number }).count ?? 0), 0);
    expect(sealed).toBe(Number(events.n)); // every stored event is under exactly one seal
    for (const item of seals.items) {
      expect(item.proof).toBe('verified');
      expect(item.entry?.actor).toEqual({ kind: 'system', id: 'ingest' });
      expect(item.entry?.details).toMatchObject({
        count: expect.any(Number),
        digest: expect.stringMatching(/^[0-9a-f]{64}$/),
      });
    }

    const root = Buffer.from(cp.root, 'base64');
    for (const index of [0, cp.size - 1]) {
      const p = await s.getJson<{ leaf_hash: string; proof: string[]; root: string }>(
        `/api/v1/audit/proof/inclusion?index=${index}`,
      );
      expect(p.root).toBe(cp.root);
      const proof = p.proof.map((h) => Buffer.from(h, 'base64'));
      expect(verifyInclusion(index, cp.size, Buffer.from(p.leaf_hash, 'base64'), proof, root)).toBe(true);
    }
    const c = await s.getJson<{ proof: string[]; from_root: string; to_root: string }>(
      `/api/v1/audit/proof/consistency?from=1&to=${cp.size}`,
    );
    expect(c.to_root).toBe(cp.root);
    expect(
      verifyConsistency(
        1,
        cp.size,
        c.proof.map((h) => Buffer.from(h, 'base64')),
        Buffer.from(c.from_root, 'base64'),
        root,
      ),
    ).toBe(true);
  });

  it('answers bad proof requests with a 400 naming the parameter', async () => {
    await s.sendCaptures();
    const res = await s.api('/api/v1/audit/proof/inclusion?index=999999&size=3', { role: 'analyst' });
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/size|index/);
    const bad = await s.api('/api/v1/audit/proof/consistency?from=abc&to=2', { role: 'analyst' });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toMatch(/from/);
  });
});
