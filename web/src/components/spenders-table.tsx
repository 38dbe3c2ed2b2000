import type { Spender } from '../api/analytics.types';
import { fmtRatio, fmtUsd, fmtUsdChange } from '../format';
import { Link } from '../router';
import { EmptyState } from './empty-state';

/**
 * People ranked by estimated spend (top) or by how much it grew against the previous period (growing): the change
 * is against the previous period of the same length, with the growth in percent when there was spend before.
 */
export function SpendersTable({ spenders, caption, empty }: { spenders: Spender[]; caption: string; empty: string }) {
  if (spenders.length === 0) return <EmptyState title={empty} />;
  return (
    <div className="table-wrap">
      <table className="table">
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Person</th>
            <th scope="col" className="num">
              Est. cost
            </th>
            <th scope="col" className="num">
              Change
            </th>
          </tr>
        </thead>
        <tbody>
          {spenders.map((s) => (
            <tr key={s.person_id}>
              <th scope="row">
                <Link href={`/people/${encodeURIComponent(s.person_id)}`} className="wrap">
                  {s.display_name ?? s.person_id.slice(0, 8)}
                </Link>
              </th>
              <td className="num">{fmtUsd(s.cost_usd_estimate)}</td>
              <td className="num">
                {fmtUsdChange(s.change_usd_estimate)}
                {s.growth !== null ? (
                  <span className="cell-sub">
                    {s.growth > 0 ? '+' : ''}
                    {fmtRatio(s.growth)}
                  </span>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
