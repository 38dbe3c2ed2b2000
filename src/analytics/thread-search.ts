import type { PromptSummariesTable } from '../store/database.js';
import {
  mixedSummaries,
  readPromptSummaries,
  straddlingSummaries,
  summariesInWindow,
} from '../store/prompt-summaries.repo.js';
import type { Store } from '../store/store.js';
import {
  promptsPastCursor,
  searchThreads,
  threadRowsFor,
  type ThreadFilter,
  type ThreadRow,
} from '../store/threads-read.repo.js';
import { CONTENT_SEPARATOR } from './prompt-fold.js';
import { readSnapshot } from './tier-reads.js';

/**
 * Thread search (GET /api/v1/threads) from prompt summaries: the same rows, in the same order, as the grouped query
 * over the window's raw events (store/threads-read.repo.ts `searchThreads`).
 *
 * A summary answers for a prompt whose events all lie in the window and were all folded by the refresher. The
 * others are few and read from their raw events through their sessions: prompts with events past the
 * refresher's cursor, prompts a window edge cuts (started within the longest prompt's duration before the edge and
 * still running at it), and — with a person filter — prompts holding someone else's events too. Everything comes
 * from one snapshot, then the two lists merge newest first.
 */
const MAX_DIRTY = 2_000;

export async function searchThreadSummaries(store: Store, f: ThreadFilter): Promise<ThreadRow[]> {
  // Content search over joined contents cannot tell where one event's content ends if the text has the separator.
  if (f.q?.includes(CONTENT_SEPARATOR)) return searchThreads(store.db, f);
  const org = 'default';
  return readSnapshot(store, async (s) => {
    const longest = s.cursor.max_prompt_ms;
    const past = await promptsPastCursor(s.trx, store.dialect, s.cursor.event_id, f.from, f.to);
    const dirty = new Map<string, { sessions: Set<string>; from: number; to: number; anywhere: boolean }>();
    const mark = (id: string, session: string | null, first: number, last: number, single: boolean) => {
      let d = dirty.get(id);
      if (!d) dirty.set(id, (d = { sessions: new Set(), from: first, to: last + 1, anywhere: false }));
      d.from = Math.min(d.from, first);
      d.to = Math.max(d.to, last + 1);
      if (session !== null) d.sessions.add(session);
      if (!single || session === null) d.anywhere = true;
    };
    // Far behind (the refresher has not caught up): the raw query is the better plan.
    if (past.length > MAX_DIRTY) return searchThreads(s.trx, f);
    for (const p of past) mark(p.prompt_id, p.session_id, p.first, p.last, true);
    const summaryDirty = (r: PromptSummariesTable) =>
      mark(
        r.prompt_id,
        r.session_min,
        Number(r.first_time),
        Number(r.last_time),
        r.session_min === r.session_max && Number(r.no_session) === 0,
      );
    // A prompt with events past the cursor may have folded ones in other sessions: its summary names them.
    for (const r of await readPromptSummaries(s.trx, org, [...dirty.keys()])) summaryDirty(r);
    for (const r of await straddlingSummaries(s.trx, org, f.from, f.to, longest)) summaryDirty(r);
    if (f.personId)
      for (const r of await mixedSummaries(s.trx, org, f.personId, f.from, f.to, longest)) summaryDirty(r);

    const rows: ThreadRow[] = [];
    const viaSessions = [...dirty].filter(([, d]) => !d.anywhere);
    rows.push(
      ...(await threadRowsFor(
        s.trx,
        f,
        viaSessions.map(([id]) => id),
        { sessions: [...new Set(viaSessions.flatMap(([, d]) => [...d.sessions]))] },
      )),
    );
    // Prompts spread over several sessions or with events outside any session: their own time span.
    for (const [id, d] of dirty) if (d.anywhere) rows.push(...(await threadRowsFor(s.trx, f, [id], d)));

    const clean = await summariesInWindow(s.trx, store.dialect, org, f, f.limit + 1 + dirty.size);
    for (const r of clean) if (!dirty.has(r.prompt_id)) rows.push(fromSummary(r));
    rows.sort(
      (a, b) => b.first_time - a.first_time || (a.prompt_id < b.prompt_id ? -1 : a.prompt_id > b.prompt_id ? 1 : 0),
    );
    return rows.slice(0, f.limit + 1);
  });
}

function fromSummary(r: PromptSummariesTable): ThreadRow {
  return {
    prompt_id: r.prompt_id,
    person_id: r.person_min,
    session_id: r.session_min,
    first_time: Number(r.first_time),
    last_time: Number(r.last_time),
    events: Number(r.events),
    api_requests: Number(r.api_requests),
    tool_calls: Number(r.tool_calls),
    errors: Number(r.errors),
    input_tokens: Number(r.input_tokens),
    output_tokens: Number(r.output_tokens),
    cache_read_tokens: Number(r.cache_read_tokens),
    cache_write_tokens: Number(r.cache_write_tokens),
    cost_micros: Number(r.cost_micros),
  };
}
