/**
 * A dependency-free progress bar on stderr (stdout stays clean for the summary). On a terminal it redraws one line
 * in place, throttled so redrawing never costs more than the work; when stderr is a file or a CI log, carriage
 * returns would pile up into garbage, so it prints one plain line per 10% instead.
 */

export interface ProgressStream {
  readonly isTTY?: boolean;
  readonly columns?: number;
  write(chunk: string): boolean;
}

export interface ProgressBarOptions {
  readonly stream?: ProgressStream;
  readonly label?: string;
  readonly unit?: string;
  /** Milliseconds between redraws on a terminal. */
  readonly redrawEveryMs?: number;
  readonly clock?: () => number;
}

export class ProgressBar {
  private readonly stream: ProgressStream;
  private readonly label: string;
  private readonly unit: string;
  private readonly redrawEveryMs: number;
  private readonly clock: () => number;
  private readonly startedAt: number;
  private lastDrawAt = Number.NEGATIVE_INFINITY;
  private lastDecile = -1;
  private drewOnTerminal = false;
  private finished = false;

  constructor(options: ProgressBarOptions = {}) {
    this.stream = options.stream ?? process.stderr;
    this.label = options.label ?? 'progress';
    this.unit = options.unit ?? 'items';
    this.redrawEveryMs = options.redrawEveryMs ?? 100;
    this.clock = options.clock ?? (() => performance.now());
    this.startedAt = this.clock();
  }

  update(done: number, total: number): void {
    if (this.finished) return;
    const fraction = total > 0 ? Math.min(1, done / total) : 1;
    if (this.stream.isTTY === true) {
      const now = this.clock();
      if (now - this.lastDrawAt < this.redrawEveryMs && done < total) return;
      this.lastDrawAt = now;
      this.drawTerminal(done, total, fraction, now);
      return;
    }
    const decile = Math.floor(fraction * 10);
    if (decile <= this.lastDecile) return;
    this.lastDecile = decile;
    this.stream.write(`${this.label}: ${decile * 10}% (${done}/${total} ${this.unit})\n`);
  }

  /** Ends the terminal line so later output starts on a fresh line. */
  finish(): void {
    if (this.finished) return;
    this.finished = true;
    if (this.drewOnTerminal) this.stream.write('\n');
  }

  private drawTerminal(done: number, total: number, fraction: number, now: number): void {
    const elapsed = (now - this.startedAt) / 1000;
    const eta = fraction > 0 && fraction < 1 ? ` ETA ${formatSeconds((elapsed * (1 - fraction)) / fraction)}` : '';
    const text = `${Math.floor(fraction * 100)}% ${done}/${total} ${this.unit}${eta}`;
    const columns = this.stream.columns ?? 80;
    const width = Math.max(10, Math.min(40, columns - this.label.length - text.length - 6));
    const filled = Math.round(fraction * width);
    const bar = `${'#'.repeat(filled)}${'-'.repeat(width - filled)}`;
    // \r returns to column 0 and \x1b[K clears leftovers of a longer previous line (ECMA-48 EL).
    this.stream.write(`\r${this.label} [${bar}] ${text}\x1b[K`);
    this.drewOnTerminal = true;
  }
}

function formatSeconds(seconds: number): string {
  if (seconds < 60) return `${Math.ceil(seconds)}s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes}m${String(Math.ceil(seconds - minutes * 60)).padStart(2, '0')}s`;
}
