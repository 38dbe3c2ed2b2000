import { describe, expect, it } from 'vitest';
import { isoTime } from './iso-time.js';

describe('isoTime', () => {
  it('formats exactly as Date#toISOString', () => {
    const samples = [0, 1, 999, 1000, 59_999, 86_399_999, 86_400_000, 951_782_400_000, 1_794_614_399_999];
    for (let i = 0; i < 5000; i++) samples.push(Math.floor(Math.random() * 253_402_300_799_999));
    for (const t of samples) expect(isoTime(t), String(t)).toBe(new Date(t).toISOString());
  });

  it('leaves what is not an integer epoch ms of years 1970–9999 to Date', () => {
    for (const t of [-1, 1.5, 253_402_300_800_000]) expect(isoTime(t)).toBe(new Date(t).toISOString());
    expect(() => isoTime(Number.NaN)).toThrow(RangeError);
  });
});
