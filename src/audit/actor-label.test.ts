import { describe, expect, it } from 'vitest';
import { actorFromLabel } from './actor-label.js';

describe('actorFromLabel', () => {
  it('reads API token, command-line and forum labels back into actors', () => {
    expect(actorFromLabel('ci bot (token 4f1c-2a)')).toEqual({
      actor: { kind: 'token', id: '4f1c-2a', name: 'ci bot' },
    });
    expect(actorFromLabel('cli:ann')).toEqual({ actor: { kind: 'system', id: 'cli', name: 'ann' } });
    expect(actorFromLabel('ann (cli)')).toEqual({ actor: { kind: 'system', id: 'cli', name: 'ann' } });
    expect(actorFromLabel('admin (token t1) via forum 2026-05-01')).toEqual({
      actor: { kind: 'token', id: 't1', name: 'admin' },
      via: 'forum 2026-05-01',
    });
  });

  it('keeps any other label whole as a system actor name', () => {
    expect(actorFromLabel('steward')).toEqual({ actor: { kind: 'system', id: 'steward', name: 'steward' } });
    expect(actorFromLabel('')).toEqual({ actor: { kind: 'system', id: 'steward', name: 'unknown' } });
    expect(actorFromLabel('x (token two words)').actor.kind).toBe('system');
  });
});
