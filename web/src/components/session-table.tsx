import type { Person, Session } from '../api/types';
import { fmtDateTime, fmtDuration, fmtShortDateTime, fmtInt, fmtUsd, personLabel } from '../format';
import { Link } from '../router';
import { Badge } from './page';

export const SURFACE_LABELS: Record<string, string> = {
  claude_code: 'Claude Code',
  cowork: 'Cowork',
  desktop: 'Claude Desktop',
  office: 'Office agent',
  api: 'API app',
};

/** Sessions with who, where, how long and how much; the start time links to the thread viewer. */
export function SessionTable({
  sessions,
  people,
  caption,
}: {
  sessions: Session[];
  people?: Map<string, Person>;
  caption: string;
}) {
  return (
    <div className="table-wrap">
      <table className="table">
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Started</th>
            {people ? <th scope="col">Person</th> : null}
            <th scope="col">Surface</th>
            <th scope="col" className="num">
              Duration
            </th>
            <th scope="col" className="num">
              Prompts
            </th>
            <th scope="col" className="num">
              API requests
            </th>
            <th scope="col" className="num">
              Tool calls
            </th>
            <th scope="col" className="num">
              Tokens in / out
            </th>
            <th scope="col" className="num">
              Est. cost
            </th>
          </tr>
        </thead>
        <tbody>
          {sessions.map((s) => {
            const person = s.person_id ? people?.get(s.person_id) : undefined;
            const team = [s.department, s.team].filter(Boolean).join(' / ');
            return (
              <tr key={s.id}>
                <th scope="row" className="nowrap">
                  <Link href={`/sessions/${encodeURIComponent(s.id)}`} title={fmtDateTime(s.first_seen)}>
                    {fmtShortDateTime(s.first_seen)}
                  </Link>
                </th>
                {people ? (
                  <td>
                    {s.person_id ? (
                      <Link href={`/people/${encodeURIComponent(s.person_id)}`}>
                        {person ? personLabel(person) : s.person_id.slice(0, 8)}
                      </Link>
                    ) : (
                      <span className="muted">unknown</span>
                    )}
                    {team ? <span className="cell-sub">{team}</span> : null}
                  </td>
                ) : null}
                <td>
                  <Badge>{SURFACE_LABELS[s.surface] ?? s.surface}</Badge>
                </td>
                <td className="num">{fmtDuration(Date.parse(s.last_seen) - Date.parse(s.first_seen))}</td>
                <td className="num">{fmtInt(s.counts.prompts)}</td>
                <td className="num">{fmtInt(s.counts.api_requests)}</td>
                <td className="num">{fmtInt(s.counts.tool_calls)}</td>
                <td className="num">
                  {fmtInt(s.tokens.input)} / {fmtInt(s.tokens.output)}
                </td>
                <td className="num">{fmtUsd(s.cost_usd_estimate)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
