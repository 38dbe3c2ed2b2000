import { parentPort, workerData } from 'node:worker_threads';
import type { PreparedBatch } from '../../contracts/canonical.js';
import { PersonResolver } from '../../identity/person-resolver.js';
import { openStore, type Store } from '../../store/store.js';
import { commitBatch } from '../commit-batch.js';
import type { SealedText } from '../../audit/commit-entries.js';
import { mergePrepared } from '../prepare-batch.js';
import { fromTextBatch, type TextBatch } from './rows-text.js';
import type { CommitMessage, FromWriter, ToWriter, WriterOptions } from './writer-protocol.js';

/**
 * The SQLite writer thread (writer-client.ts starts it): its own connection to the database file, its own person
 * resolver, and every ingest commit. better-sqlite3 is synchronous, so a commit on the main thread stalled every
 * HTTP request for its 5–50 ms; here it stalls nothing but this thread. Commits run one at a time, in the order
 * the main thread's group-commit queue sends them.
 */
interface WriterData {
  dataDir: string;
  options?: WriterOptions;
}

const port = parentPort as NonNullable<typeof parentPort>;
const { dataDir, options } = workerData as WriterData;
const held = new Map<number, TextBatch>();
const queue: CommitMessage[] = [];
let store: Store | undefined;
let busy = false;
const resolver = new PersonResolver();

/**
 * WAL checkpoints between commits (options.checkpointIntervalMs), in place of a checkpointer thread of their own:
 * PASSIVE never waits for readers or writers (sqlite.org/c3ref/wal_checkpoint_v2.html), and on this thread it
 * never waits for a commit either. A separate thread costs an isolate and a connection (14 MB of RSS, measured alone) for a
 * pragma twice a second.
 */
const checkpointEvery = options?.checkpointIntervalMs ?? 0;
let lastCheckpoint = performance.now();

function checkpoint(): void {
  if (checkpointEvery <= 0 || !store?.sqlite || performance.now() - lastCheckpoint < checkpointEvery) return;
  lastCheckpoint = performance.now();
  try {
    store.sqlite.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // busy or interrupted: the next one catches up (the connection's wal_autocheckpoint is the safety net)
  }
}

if (checkpointEvery > 0) {
  setInterval(() => {
    if (!busy) checkpoint();
  }, checkpointEvery).unref();
}

function send(msg: FromWriter): void {
  port.postMessage(msg);
}

function onMessage(msg: ToWriter): void {
  switch (msg.type) {
    case 'hold':
      held.set(msg.ticket, msg.batch);
      void pump(); // a commit may be waiting for this ticket
      return;
    case 'port':
      msg.port.on('message', onMessage);
      return;
    case 'commit':
      queue.push(msg);
      void pump();
      return;
    case 'drop':
      for (const t of msg.tickets) held.delete(t);
      return;
    case 'close':
      void close();
      return;
  }
}

/** A commit waits until every batch it names has arrived (the decode workers' ports and this one race). */
function ready(msg: CommitMessage): boolean {
  return msg.entries.every((e) => !('ticket' in e) || held.has(e.ticket));
}

async function pump(): Promise<void> {
  if (busy || !store) return;
  busy = true;
  try {
    while (queue.length > 0 && ready(queue[0] as CommitMessage)) {
      const msg = queue.shift() as CommitMessage;
      const release = () => {
        for (const e of msg.entries) if ('ticket' in e) held.delete(e.ticket);
      };
      const started = performance.now();
      try {
        // Held batches become values only now, so a retried group starts again from the rows as they came.
        const batches: PreparedBatch[] = [];
        const texts: SealedText[] = [];
        for (const e of msg.entries) {
          if ('ticket' in e || 'text' in e) {
            const b = 'text' in e ? e.text : (held.get(e.ticket) as TextBatch);
            batches.push(fromTextBatch(b));
            texts.push({ text: b.rowsText, count: b.rowCount });
          } else {
            batches.push(e.batch);
            texts.push({ text: null, count: e.batch.rows.length });
          }
        }
        const result = await commitBatch(store, resolver, mergePrepared(batches), msg.now, options, texts);
        release();
        send({ type: 'committed', id: msg.id, result, ms: performance.now() - started });
        checkpoint();
      } catch (err) {
        if (!msg.keepOnFailure) release();
        const code = (err as { code?: unknown }).code;
        send({
          type: 'failed',
          id: msg.id,
          error: { message: (err as Error).message, code: typeof code === 'string' ? code : undefined },
        });
      }
    }
  } finally {
    busy = false;
  }
}

async function close(): Promise<void> {
  await store?.close();
  store = undefined;
  send({ type: 'closed' });
  port.close();
}

port.on('message', onMessage);
openStore({ dataDir, secondary: true }).then(
  (s) => {
    store = s;
    send({ type: 'ready' });
    void pump();
  },
  (err: unknown) => {
    // The client sees the thread exit and fails what was waiting; the message says why.
    process.stderr.write(`steward ingest writer: cannot open the store: ${(err as Error).message}\n`);
    process.exit(1);
  },
);
