import type { ExportSource } from '../config/export.schema.js';
import { enqueueAndAdvance, ensureCursor, readCursor, type NewOutboxRow } from '../store/export-outbox.repo.js';
import {
  auditForExport,
  eventsForExport,
  maxAuditIdx,
  maxEventId,
  settledMaxEventId,
} from '../store/export-sources.repo.js';
import type { Store } from '../store/store.js';
import { recordFromAudit, recordFromEvent, type ExportRecord } from './export-record.js';
import { accepts } from './sink-filter.js';
import type { Sink } from './sinks/sink.js';

/**
 * The feeder: for one sink and source, reads the records past the sink's cursor (events by id, audit entries by
 * index), keeps those the sink's filters accept, renders them for the sink and inserts them into the outbox in the
 * transaction that moves the cursor (a compare-and-swap, so two replicas never enqueue a chunk twice). A crash
 * before the commit leaves the cursor where it was: the chunk is read again. Events are read only up to the highest
 * id below which every insert has committed (PostgreSQL assigns ids before commit).
 */
export interface FeedResult {
  read: number;
  enqueued: number;
  /** False when the chunk was full (more to read) or another replica moved the cursor first. */
  caughtUp: boolean;
}

async function startPosition(store: Store, sink: Sink, source: ExportSource): Promise<number> {
  if (sink.config.startFrom === 'earliest') return source === 'events' ? 0 : -1;
  return source === 'events' ? settledMaxEventId(store) : maxAuditIdx(store.db);
}

export async function feedOnce(
  store: Store,
  sink: Sink,
  source: ExportSource,
  opts: {
    chunk: number;
    now: number;
    /** The settled maximum event id, shared by the sinks of one pass (on PostgreSQL it takes a brief lock). */
    eventsUpto?: () => Promise<number>;
  },
): Promise<FeedResult> {
  const name = sink.config.name;
  const stored = await readCursor(store.db, name, source);
  const from =
    stored ?? (await ensureCursor(store.db, name, source, await startPosition(store, sink, source), opts.now));
  let records: ExportRecord[];
  let to: number;
  let read: number;
  if (source === 'events') {
    // An unlocked look first: the settled read takes a lock on PostgreSQL, so take it only when there is news.
    if ((await maxEventId(store.db)) <= from) return { read: 0, enqueued: 0, caughtUp: true };
    const upto = await (opts.eventsUpto ?? (() => settledMaxEventId(store)))();
    if (upto <= from) return { read: 0, enqueued: 0, caughtUp: true };
    const rows = await eventsForExport(store.db, {
      after: from,
      upto,
      limit: opts.chunk,
      kinds: sink.config.filters.kinds,
    });
    read = rows.length;
    to = rows.length === opts.chunk ? (rows[rows.length - 1]?.id ?? upto) : upto;
    records = rows.map(recordFromEvent);
  } else {
    const rows = await auditForExport(store.db, { after: from, limit: opts.chunk });
    read = rows.length;
    to = rows[rows.length - 1]?.idx ?? from;
    records = rows.map(recordFromAudit);
  }
  if (to <= from) return { read, enqueued: 0, caughtUp: true };
  const rows: NewOutboxRow[] = records
    .filter((r) => accepts(sink.config, r))
    .map((r) => ({
      sink: name,
      source,
      source_id: r.sourceId,
      uid: r.uid,
      kind: r.kind,
      severity: r.severity,
      payload: JSON.stringify(sink.render(r)),
    }));
  const moved = await enqueueAndAdvance(store, { sink: name, source, from, to, now: opts.now }, rows);
  return { read, enqueued: moved ? rows.length : 0, caughtUp: moved && read < opts.chunk };
}
