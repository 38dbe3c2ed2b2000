import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { engines, openTestStore, type TestStore } from '../../test/support/engines.js';
import type { AuditEntryInput } from '../contracts/audit.js';
import { AuditRecorder, representable } from './audit-recorder.js';

describe('representable', () => {
  it('makes what canonical JSON refuses representable and leaves ordinary entries as they are', () => {
    const ok: AuditEntryInput = { time: 1, actor: { kind: 'system', id: 'x' }, action: 'a.b', details: { n: 1 } };
    expect(representable(ok)).toEqual(ok);
    const bad = {
      time: 1,
      actor: { kind: 'system', id: 'lone \ud800 surrogate' },
      action: 'a.b',
      details: { big: 10n, nan: Number.NaN, fn: () => 1 },
    } as unknown as AuditEntryInput;
    expect(representable(bad)).toEqual({
      time: 1,
      actor: { kind: 'system', id: 'lone \ufffd surrogate' },
      action: 'a.b',
      details: { big: '10', nan: null },
    });
  });
});

describe.each(engines)('AuditRecorder on %s', (dialect) => {
  let t: TestStore;
  beforeEach(async () => {
    t = await openTestStore(dialect);
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it('appends entries recorded together in one batch, and an unrepresentable value cannot block the ones after it', async () => {
    const errors: unknown[] = [];
    const recorder = new AuditRecorder(t.store, { lingerMs: 5, onError: (e) => errors.push(e) });
    recorder.record({ time: 1, actor: { kind: 'system', id: 'a' }, action: 'x.one' });
    recorder.record({ time: 2, actor: { kind: 'system', id: '\udfff' }, action: 'x.two' });
    recorder.record({ time: 3, actor: { kind: 'system', id: 'c' }, action: 'x.three' });
    await recorder.close();
    expect(errors).toEqual([]);
    const rows = await t.store.db
      .selectFrom('audit_entries')
      .select(['idx', 'action', 'actor_id'])
      .orderBy('idx')
      .execute();
    expect(rows).toEqual([
      { idx: 0, action: 'x.one', actor_id: 'a' },
      { idx: 1, action: 'x.two', actor_id: '\ufffd' },
      { idx: 2, action: 'x.three', actor_id: 'c' },
    ]);
  });
});
