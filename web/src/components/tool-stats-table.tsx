import type { ReactNode } from 'react';
import type { ToolStats } from '../api/analytics.types';
import { fmtDuration, fmtInt, fmtRatio } from '../format';
import { Badge } from './page';

export interface ToolRow {
  key: string;
  name: ReactNode;
  stats: ToolStats;
  /** Marked "Can write" (write-capable by the server's classifier). */
  write?: boolean;
  /** Who uses it (names), where the API says. */
  who?: ReactNode;
  /** A tool under the MCP server row above it. */
  nested?: boolean;
}

/** Calls, errors, latency p50/p95 and people for tools, servers, skills, plugins or subagents. */
export function ToolStatsTable({
  rows,
  nameHeader,
  caption,
  callsHeader = 'Calls',
  latency = true,
  who = false,
}: {
  rows: ToolRow[];
  nameHeader: string;
  caption: string;
  callsHeader?: string;
  latency?: boolean;
  who?: boolean;
}) {
  return (
    <div className="table-wrap">
      <table className="table tool-table">
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{nameHeader}</th>
            <th scope="col" className="num">
              {callsHeader}
            </th>
            <th scope="col" className="num">
              Errors
            </th>
            <th scope="col" className="num">
              Error rate
            </th>
            {latency ? (
              <>
                <th scope="col" className="num">
                  p50
                </th>
                <th scope="col" className="num">
                  p95
                </th>
              </>
            ) : null}
            <th scope="col" className="num">
              People
            </th>
            {who ? <th scope="col">Used most by</th> : null}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.key} className={r.nested ? 'row-nested' : undefined} data-write={r.write ? 'true' : undefined}>
              <th scope="row">
                <span className="tool-name">{r.name}</span>
                {r.write ? (
                  <>
                    {' '}
                    <Badge tone="warn">Can write</Badge>
                  </>
                ) : null}
              </th>
              <td className="num">{fmtInt(r.stats.calls)}</td>
              <td className="num">{fmtInt(r.stats.errors)}</td>
              <td className={`num${(r.stats.error_rate ?? 0) > 0.05 ? ' text-bad' : ''}`}>
                {fmtRatio(r.stats.error_rate)}
              </td>
              {latency ? (
                <>
                  <td className="num">{fmtDuration(r.stats.latency_ms.p50)}</td>
                  <td className="num">{fmtDuration(r.stats.latency_ms.p95)}</td>
                </>
              ) : null}
              <td className="num">{fmtInt(r.stats.people)}</td>
              {who ? <td>{r.who ?? <span className="muted">—</span>}</td> : null}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
