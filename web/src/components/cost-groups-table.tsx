import type { ReactNode } from 'react';
import type { CostReport } from '../api/analytics.types';
import { fmtInt, fmtRatio, fmtUsd } from '../format';

type Group = CostReport['groups'][number];

/** Tokens (never conflated), cache hit ratio and estimated cost per group, with the period's total. */
export function CostGroupsTable({
  report,
  keyHeader,
  renderKey,
}: {
  report: CostReport;
  keyHeader: string;
  renderKey: (g: Group) => ReactNode;
}) {
  const t = report.totals;
  return (
    <div className="table-wrap">
      <table className="table">
        <caption className="visually-hidden">Usage and estimated cost by {keyHeader.toLowerCase()}</caption>
        <thead>
          <tr>
            <th scope="col">{keyHeader}</th>
            {['Requests', 'Input', 'Output', 'Cache read', 'Cache write', 'Cache hit', 'Est. cost', 'Share'].map(
              (h) => (
                <th key={h} scope="col" className="num">
                  {h}
                </th>
              ),
            )}
            <th scope="col" className="num">
              Previous period
            </th>
          </tr>
        </thead>
        <tbody>
          {report.groups.map((g) => (
            <tr key={g.key ?? '∅'}>
              <th scope="row">{g.key === null ? <span className="muted">not set</span> : renderKey(g)}</th>
              <td className="num">{fmtInt(g.requests)}</td>
              <td className="num">{fmtInt(g.tokens.input)}</td>
              <td className="num">{fmtInt(g.tokens.output)}</td>
              <td className="num">{fmtInt(g.tokens.cache_read)}</td>
              <td className="num">{fmtInt(g.tokens.cache_write)}</td>
              <td className="num">{fmtRatio(g.cache_hit_ratio)}</td>
              <td className="num">{fmtUsd(g.cost_usd_estimate)}</td>
              <td className="num">{fmtRatio(g.share_of_cost)}</td>
              <td className="num">{fmtUsd(g.previous_cost_usd_estimate)}</td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row">Total</th>
            <td className="num">{fmtInt(t.requests)}</td>
            <td className="num">{fmtInt(t.tokens.input)}</td>
            <td className="num">{fmtInt(t.tokens.output)}</td>
            <td className="num">{fmtInt(t.tokens.cache_read)}</td>
            <td className="num">{fmtInt(t.tokens.cache_write)}</td>
            <td className="num">{fmtRatio(t.cache_hit_ratio)}</td>
            <td className="num">{fmtUsd(t.cost_usd_estimate)}</td>
            <td className="num" />
            <td className="num">{fmtUsd(report.previous_window.cost_usd_estimate)}</td>
          </tr>
        </tfoot>
      </table>
    </div>
  );
}
