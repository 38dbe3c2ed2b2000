import type { Transaction } from 'kysely';
import type { EventKind } from '../contracts/canonical.js';
import { COL, type EventValues } from '../contracts/event-columns.js';
import type { Database } from '../store/database.js';
import { claimRequests, type RequestClaim } from '../store/request-ledger.repo.js';
import type { Store } from '../store/store.js';

/**
 * One Messages API request, counted once (issue 5 "reconciled … so nothing is counted twice"). A request that goes
 * through Steward's gateway is reported twice: by the gateway (`source = gateway`) and by Claude Code's own OTel
 * `api_request` event, whose `request_id` is the `request-id` header the gateway returned (claude-code-observed.md
 * §2 "Correlation"). Inside the commit transaction, every new `api_request` row with a request id claims that id in
 * the request ledger; the first claim — whichever source arrived first — stays an `api_request`; a later report from
 * another source is stored as `api_request_duplicate` with its token and cost columns emptied (the figures kept in
 * `attrs.duplicate`). Reports from the same source are left as they are: a source's own repeats are its dedupe key's
 * business (a retried export), and request ids are only unique per upstream (mocks and captures reuse them),
 * so rollups, session totals, derived tiers, thread sums and usage reads — which count `api_request` rows and sum
 * token columns — count the request exactly once without any change, and a rebuild reproduces it.
 * Only api_request rows with a request id touch the ledger: one statement per commit group (SQLite: one cached
 * prepared statement per row).
 */
export const DUPLICATE_KIND: EventKind = 'api_request_duplicate';

export async function reconcileRequests(
  trx: Transaction<Database>,
  store: Store,
  rows: readonly EventValues[],
): Promise<number> {
  let claims: RequestClaim[] | undefined;
  let claimRows: EventValues[] | undefined;
  let firstSource: Map<string, string> | undefined;
  let duplicates = 0;
  for (const row of rows) {
    if (row[COL.kind] !== 'api_request') continue;
    const requestId = row[COL.request_id];
    if (typeof requestId !== 'string' || requestId === '') continue;
    const org = row[COL.org_id] as string;
    const source = row[COL.source] as string;
    const key = org + '\u0000' + requestId;
    firstSource ??= new Map();
    const first = firstSource.get(key);
    if (first !== undefined) {
      // Both reports in one group: the one later in arrival order is the duplicate.
      if (first !== source) {
        markDuplicate(row);
        duplicates++;
      }
      continue;
    }
    firstSource.set(key, source);
    (claims ??= []).push({ orgId: org, requestId, source, time: row[COL.time] as number });
    (claimRows ??= []).push(row);
  }
  if (!claims || !claimRows) return 0;
  const earlier = await claimRequests(trx, store, claims);
  for (let i = 0; i < earlier.length; i++) {
    const by = earlier[i];
    if (by === null || by === undefined || by === (claims[i] as RequestClaim).source) continue;
    markDuplicate(claimRows[i] as EventValues);
    duplicates++;
  }
  return duplicates;
}

function markDuplicate(row: EventValues): void {
  let attrs: Record<string, unknown> = {};
  try {
    attrs = JSON.parse(row[COL.attrs] as string) as Record<string, unknown>;
  } catch {
    // attrs are always JSON text from prepareBatch; an unreadable value is replaced rather than kept
  }
  attrs.duplicate = {
    input_tokens: row[COL.input_tokens],
    output_tokens: row[COL.output_tokens],
    cache_read_tokens: row[COL.cache_read_tokens],
    cache_write_tokens: row[COL.cache_write_tokens],
    cost_micros: row[COL.cost_micros],
  };
  row[COL.kind] = DUPLICATE_KIND;
  row[COL.input_tokens] = null;
  row[COL.output_tokens] = null;
  row[COL.cache_read_tokens] = null;
  row[COL.cache_write_tokens] = null;
  row[COL.cost_micros] = null;
  row[COL.attrs] = JSON.stringify(attrs);
}
