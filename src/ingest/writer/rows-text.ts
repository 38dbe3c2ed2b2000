import type { NormalisedEvent, PreparedBatch } from '../../contracts/canonical.js';
import { COL, type EventValues } from '../../contracts/event-columns.js';
import { BatchReferences, eventValues } from '../prepare-batch.js';

/**
 * A prepared batch on its way from a decode worker to the SQLite writer thread, its rows as text: one JSON array per
 * row holding every column but `person_id` (the sealed columns, audit/activity-seal.ts), each line ended by "\n".
 *
 * Why text: the writer holds a batch until the commit that names it, and a row as a 34-value array with its own
 * strings took ~1.1 KB of the writer's heap and dozens of objects for its garbage collector to trace; as a line of
 * a one-byte string it takes ~670 bytes and is one leaf. The lines are also exactly what the activity seal hashes,
 * so when a commit inserts every row unchanged the writer hashes the text as it came instead of serialising each
 * row again (commit-entries.ts). JSON.stringify never writes a raw line feed (it escapes U+000A inside strings), so
 * "\n" only ever ends a line.
 */
export interface TextBatch extends Omit<PreparedBatch, 'rows'> {
  rowsText: string;
  rowCount: number;
}

const PERSON = COL.person_id;

/** The batch's rows as text. The rows are consumed (their `person_id` slot is removed). */
export function toTextBatch(batch: PreparedBatch): TextBatch {
  const { rows, ...rest } = batch;
  const lines = new Array<string>(rows.length);
  for (let i = 0; i < rows.length; i++) {
    lines[i] = rowLine(rows[i] as EventValues);
    (rows as (EventValues | undefined)[])[i] = undefined; // garbage now: the next scavenge need not copy it
  }
  return { ...rest, rowsText: rows.length ? lines.join('\n') + '\n' : '', rowCount: rows.length };
}

/**
 * A text batch gathered one event at a time, for a producer that holds events a while before handing them to the
 * group commit (the gateway's usage records, enforce/gateway/gateway-events.ts). Each event becomes its line as it is
 * added, as `prepareBatch` and `toTextBatch` together would make it, and the line is written into a byte buffer
 * outside the JavaScript heap, reused from one batch to the next; `take` decodes it into the batch's text.
 *
 * Why outside the heap: what a gathering holds for its ~100 ms outlives the scavenges in between (one every
 * ~45–60 ms under load). Held as events, every one was promoted: with what else the gathering kept, the old
 * generation grew by ~2.3 KB per request, and at c=16 a full collection came every 3–4 s whose incremental marking
 * took half the event loop for 100–230 ms. Held as one string per event, the strings were still nearly all of what
 * each scavenge copied (≈ 220 KB of ≈ 230 KB surviving at c=1, 0.67 ms of a 1.0 ms pause) and a third of what was
 * promoted (docs/gateway-benchmark.md, "Old-generation promotion" and "Scavenges and the gathering"). Bytes in a
 * Buffer are neither copied by a scavenge nor promoted.
 */
export class TextBatchBuilder {
  /** The lines so far, UTF-8, each ended by "\n"; grows to the largest gathering and stays (≤ 500 rows, ~0.4 MB). */
  private bytes = Buffer.allocUnsafeSlow(64 * 1024);
  private used = 0;
  private count = 0;
  private rowIdentity: number[] = [];
  private refs = new BatchReferences();

  /** Events added since the last `take`. */
  get size(): number {
    return this.count;
  }

  add(e: NormalisedEvent): void {
    this.rowIdentity.push(this.refs.add(e));
    const line = rowLine(eventValues(e));
    // A UTF-16 code unit is at most 3 bytes of UTF-8 (a surrogate pair, two units, is 4), plus the line feed.
    const room = this.used + line.length * 3 + 1;
    if (room > this.bytes.length) {
      const larger = Buffer.allocUnsafeSlow(Math.max(room, this.bytes.length * 2));
      this.bytes.copy(larger, 0, 0, this.used);
      this.bytes = larger;
    }
    this.used += this.bytes.write(line, this.used);
    this.bytes[this.used++] = 0x0a;
    this.count++;
  }

  /** The events added so far as one batch; the builder starts again empty. */
  take(): TextBatch {
    const batch: TextBatch = {
      rowsText: this.bytes.toString('utf8', 0, this.used),
      rowCount: this.count,
      rowIdentity: this.rowIdentity,
      identities: this.refs.identities,
      sessions: this.refs.sessions(),
      metrics: [],
      rejected: 0,
      errors: [],
    };
    this.used = 0;
    this.count = 0;
    this.rowIdentity = [];
    this.refs = new BatchReferences();
    return batch;
  }
}

/** A row's line: every value but `person_id`, as JSON. The row is consumed (its `person_id` slot is removed). */
function rowLine(row: EventValues): string {
  row.splice(PERSON, 1);
  return JSON.stringify(row);
}

/** The batch with its rows as values again (`person_id` null, for the commit to fill). */
export function fromTextBatch(batch: TextBatch): PreparedBatch {
  const { rowsText, rowCount, ...rest } = batch;
  // One parse for the whole batch: the line feeds between rows become the commas of one array.
  const rows = rowCount ? (JSON.parse('[' + rowsText.slice(0, -1).replaceAll('\n', ',') + ']') as EventValues[]) : [];
  if (rows.length !== rowCount) throw new Error(`batch text holds ${rows.length} rows, not ${rowCount}`);
  for (const row of rows) row.splice(PERSON, 0, null);
  return { ...rest, rows };
}
