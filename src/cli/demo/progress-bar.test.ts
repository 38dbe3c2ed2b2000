import { describe, expect, it } from 'vitest';
import { ProgressBar } from './progress-bar.js';

function capture(isTTY: boolean): {
  stream: { isTTY: boolean; columns: number; write(chunk: string): boolean };
  text: () => string;
} {
  const chunks: string[] = [];
  return {
    stream: {
      isTTY,
      columns: 100,
      write: (chunk: string) => {
        chunks.push(chunk);
        return true;
      },
    },
    text: () => chunks.join(''),
  };
}

describe('ProgressBar', () => {
  it('prints one plain line per 10% when the stream is not a terminal', () => {
    const out = capture(false);
    const bar = new ProgressBar({ stream: out.stream, label: 'demo', unit: 'sessions' });
    for (let done = 0; done <= 200; done++) bar.update(done, 200);
    bar.finish();
    const lines = out.text().trim().split('\n');
    expect(lines).toHaveLength(11);
    expect(lines[0]).toBe('demo: 0% (0/200 sessions)');
    expect(lines[10]).toBe('demo: 100% (200/200 sessions)');
    expect(out.text()).not.toContain('\r');
  });

  it('redraws in place on a terminal, throttled, and ends the line on finish', () => {
    const out = capture(true);
    let now = 0;
    const bar = new ProgressBar({ stream: out.stream, label: 'demo', clock: () => now, redrawEveryMs: 100 });
    bar.update(1, 10);
    bar.update(2, 10); // within the throttle window: skipped
    now = 150;
    bar.update(5, 10);
    now = 160;
    bar.update(10, 10); // completion always draws
    bar.finish();
    const draws = out
      .text()
      .split('\r')
      .filter((part) => part !== '');
    expect(draws).toHaveLength(3);
    expect(draws[1]).toContain('[#');
    expect(draws[1]).toContain('50% 5/10');
    expect(out.text().endsWith('\n')).toBe(true);
  });

  it('handles an empty job as complete', () => {
    const out = capture(false);
    const bar = new ProgressBar({ stream: out.stream, label: 'x' });
    bar.update(0, 0);
    expect(out.text()).toBe('x: 100% (0/0 items)\n');
  });
});
