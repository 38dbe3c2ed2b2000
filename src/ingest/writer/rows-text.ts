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
 * added, as `prepareBatch` and `toTextBatch` together would make it, so what waits is one leaf string per event: the
 * event's own objects die young. Held as objects for the ~100 ms of a gathering, every event outlived two scavenges
 * (one every ~60 ms under load) and was promoted: with what else the gathering kept, the old generation grew by
 * ~2.3 KB per request, and at c=16 a full collection came every 3–4 s whose incremental marking took half the event
 * loop for 100–230 ms (docs/gateway-benchmark.md, "Old-generation promotion").
 */
export class TextBatchBuilder {
  private lines: string[] = [];
  private rowIdentity: number[] = [];
  private refs = new BatchReferences();

  /** Events added since the last `take`. */
  get size(): number {
    return this.lines.length;
  }

  add(e: NormalisedEvent): void {
    this.rowIdentity.push(this.refs.add(e));
    this.lines.push(rowLine(eventValues(e)));
  }

  /** The events added so far as one batch; the builder starts again empty. */
  take(): TextBatch {
    const batch: TextBatch = {
      rowsText: this.lines.length ? this.lines.join('\n') + '\n' : '',
      rowCount: this.lines.length,
      rowIdentity: this.rowIdentity,
      identities: this.refs.identities,
      sessions: this.refs.sessions(),
      metrics: [],
      rejected: 0,
      errors: [],
    };
    this.lines = [];
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
