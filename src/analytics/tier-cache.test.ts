import { describe, expect, it } from 'vitest';
import type { Store } from '../store/store.js';
import { tierRead } from './tier-cache.js';

describe('tier read cache', () => {
  const store = {} as Store;
  const counting = () => {
    let n = 0;
    return { read: async () => ++n, calls: () => n };
  };

  it('shares a read under one tier version and reads again under another', async () => {
    const c = counting();
    expect(await tierRead({ store, version: 'a' }, ['q', 1], c.read)).toBe(1);
    expect(await tierRead({ store, version: 'a' }, ['q', 1], c.read)).toBe(1);
    expect(await tierRead({ store, version: 'a' }, ['q', 2], c.read)).toBe(2);
    expect(await tierRead({ store, version: 'b' }, ['q', 1], c.read)).toBe(3);
    expect(c.calls()).toBe(3);
  });

  it('reads again after a failed read, in the caller that met the failure and afterwards', async () => {
    const first = tierRead({ store, version: 'c' }, 'x', () => Promise.reject(new Error('connection lost')));
    const second = tierRead({ store, version: 'c' }, 'x', async () => 'own read');
    await expect(first).rejects.toThrow('connection lost');
    expect(await second).toBe('own read');
    expect(await tierRead({ store, version: 'c' }, 'x', async () => 'fresh')).toBe('fresh');
  });

  it('keeps the stores apart', async () => {
    const other = {} as Store;
    await tierRead({ store, version: 'd' }, 'k', async () => 1);
    expect(await tierRead({ store: other, version: 'd' }, 'k', async () => 2)).toBe(2);
  });
});
