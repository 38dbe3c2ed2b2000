import type { ReactNode } from 'react';
import type { UsageSummary } from '../api/types';
import { fmtInt, fmtPct, fmtUsd } from '../format';

/** Usage rows (tokens never conflated: input, output, cache read, cache write) with estimated cost and its share. */
export function UsageTable({
  summary,
  keyHeader,
  renderKey,
  limit,
  caption,
  order = 'cost',
  compact = false,
}: {
  summary: UsageSummary;
  keyHeader: string;
  renderKey: (key: string | null) => ReactNode;
  limit?: number;
  caption: string;
  /** `cost`: most expensive first; `key`: in key order (days). */
  order?: 'cost' | 'key';
  /** Leave out the cache columns (for half-width cards). */
  compact?: boolean;
}) {
  const rows = [...summary.groups].sort((a, b) =>
    order === 'key'
      ? String(a.key).localeCompare(String(b.key))
      : (b.cost_usd_estimate ?? 0) - (a.cost_usd_estimate ?? 0) || b.tokens.input - a.tokens.input,
  );
  const shown = limit ? rows.slice(0, limit) : rows;
  const total = summary.totals.cost_usd_estimate ?? 0;
  return (
    <div className="table-wrap">
      <table className="table">
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{keyHeader}</th>
            <th scope="col" className="num">
              Requests
            </th>
            <th scope="col" className="num">
              Input
            </th>
            <th scope="col" className="num">
              Output
            </th>
            {compact ? null : (
              <th scope="col" className="num">
                Cache read
              </th>
            )}
            {compact ? null : (
              <th scope="col" className="num">
                Cache write
              </th>
            )}
            <th scope="col" className="num">
              Est. cost
            </th>
            <th scope="col" className="num">
              Share
            </th>
          </tr>
        </thead>
        <tbody>
          {shown.map((g) => (
            <tr key={g.key ?? '∅'}>
              <th scope="row">{g.key === null ? <span className="muted">not set</span> : renderKey(g.key)}</th>
              <td className="num">{fmtInt(g.requests)}</td>
              <td className="num">{fmtInt(g.tokens.input)}</td>
              <td className="num">{fmtInt(g.tokens.output)}</td>
              {compact ? null : <td className="num">{fmtInt(g.tokens.cache_read)}</td>}
              {compact ? null : <td className="num">{fmtInt(g.tokens.cache_write)}</td>}
              <td className="num">{fmtUsd(g.cost_usd_estimate)}</td>
              <td className="num">{fmtPct(g.cost_usd_estimate ?? 0, total)}</td>
            </tr>
          ))}
        </tbody>
        {!limit || rows.length <= limit ? (
          <tfoot>
            <tr>
              <th scope="row">Total</th>
              <td className="num">{fmtInt(summary.totals.requests)}</td>
              <td className="num">{fmtInt(summary.totals.tokens.input)}</td>
              <td className="num">{fmtInt(summary.totals.tokens.output)}</td>
              {compact ? null : <td className="num">{fmtInt(summary.totals.tokens.cache_read)}</td>}
              {compact ? null : <td className="num">{fmtInt(summary.totals.tokens.cache_write)}</td>}
              <td className="num">{fmtUsd(summary.totals.cost_usd_estimate)}</td>
              <td className="num" />
            </tr>
          </tfoot>
        ) : null}
      </table>
      {limit && rows.length > limit ? (
        <p className="table-note">
          Top {limit} of {rows.length}.
        </p>
      ) : null}
    </div>
  );
}
