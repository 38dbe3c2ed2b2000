import type { ReactNode } from 'react';
import { KIND_NAMES, type Scorecard, type ScorecardQuarter } from '../api/governance.types';
import { DownloadButton } from '../components/download-button';
import { Page, Section, Stat } from '../components/page';
import { Loaded } from '../components/status-gate';
import { fmtDateTime, fmtInt, fmtRatio } from '../format';
import { Link, useLocation } from '../router';
import { useApi } from '../use-api';

/**
 * The quarterly governance scorecard (issue 6) beside last quarter: inventory completeness, cadence adherence, forum
 * attendance and decisions, open findings by age; as Markdown and PDF for the board pack.
 */
const QUARTER = /^\d{4}-Q[1-4]$/;

function shiftQuarter(label: string, by: number): string {
  const [y, q] = label.split('-Q').map(Number) as [number, number];
  const n = y * 4 + (q - 1) + by;
  return `${Math.floor(n / 4)}-Q${(n % 4) + 1}`;
}

export function ScorecardPage() {
  const { query } = useLocation();
  const asked = query.get('quarter');
  const quarter = asked && QUARTER.test(asked) ? asked : null;
  const q = quarter ? `quarter=${quarter}` : '';
  const sc = useApi<Scorecard>(`/api/v1/governance/scorecard${q ? `?${q}` : ''}`);
  const shown = sc.state === 'ready' ? sc.data.current.quarter : quarter;
  return (
    <Page
      title="Scorecard"
      subtitle={sc.state === 'ready' ? `${sc.data.title}, against ${sc.data.previous.quarter}.` : undefined}
      actions={
        shown ? (
          <>
            <nav className="segmented" aria-label="Quarter">
              <Link href={`/scorecard?quarter=${shiftQuarter(shown, -1)}`}>← {shiftQuarter(shown, -1)}</Link>
              <Link href={`/scorecard?quarter=${shiftQuarter(shown, 1)}`}>{shiftQuarter(shown, 1)} →</Link>
            </nav>
            <DownloadButton
              path={`/api/v1/governance/scorecard?quarter=${shown}&format=md`}
              filename={`steward-scorecard-${shown}.md`}
              label="Export Markdown"
            />
            <DownloadButton
              path={`/api/v1/governance/scorecard?quarter=${shown}&format=pdf`}
              filename={`steward-scorecard-${shown}.pdf`}
              label="Export PDF"
            />
          </>
        ) : undefined
      }
    >
      <Loaded res={sc} what="the scorecard">
        {(d) => <ScorecardBody current={d.current} previous={d.previous} generated={d.generated_at} />}
      </Loaded>
    </Page>
  );
}

/** "3 of 4" with last quarter's figure beside it. */
function Part({ n, of, before, beforeOf }: { n: number; of: number; before: number; beforeOf: number }): ReactNode {
  return (
    <>
      {fmtInt(n)} of {fmtInt(of)}
      <span className="cell-sub">
        {' '}
        last quarter {fmtInt(before)} of {fmtInt(beforeOf)}
      </span>
    </>
  );
}

function ScorecardBody({
  current,
  previous,
  generated,
}: {
  current: ScorecardQuarter;
  previous: ScorecardQuarter;
  generated: string;
}) {
  const prev = (kind: string) => previous.objects.find((o) => o.kind === kind);
  return (
    <>
      <div className="stats stats-compact">
        <Stat
          label="Cadence adherence"
          value={fmtRatio(current.cadences.adherence)}
          detail={`${fmtInt(current.cadences.held)} of ${fmtInt(current.cadences.due)} reviews held; last quarter ${fmtRatio(previous.cadences.adherence)}`}
        />
        <Stat
          label="Forum meetings"
          value={fmtInt(current.forum.meetings)}
          detail={`${fmtInt(current.forum.decisions)} decisions, ${fmtInt(current.forum.applied)} applied; last quarter ${fmtInt(previous.forum.meetings)}`}
        />
        <Stat
          label="Open findings"
          value={fmtInt(current.findings.open)}
          detail={`last quarter ${fmtInt(previous.findings.open)}`}
        />
      </div>
      <Section title="Inventory completeness" note={`as of ${fmtDateTime(current.as_of)}`}>
        <div className="table-wrap">
          <table className="table">
            <caption className="visually-hidden">Inventory completeness by kind</caption>
            <thead>
              <tr>
                <th scope="col">Inventory</th>
                <th scope="col">Objects</th>
                <th scope="col">With an owner</th>
                <th scope="col">Fields complete</th>
                <th scope="col">Reviewed on time</th>
              </tr>
            </thead>
            <tbody>
              {current.objects.map((o) => {
                const p = prev(o.kind) ?? { objects: 0, owner_set: 0, fields_complete: 0, reviewed_on_time: 0 };
                return (
                  <tr key={o.kind}>
                    <th scope="row">{KIND_NAMES[o.kind].many}</th>
                    <td>
                      {fmtInt(o.objects)}
                      <span className="cell-sub"> last quarter {fmtInt(p.objects)}</span>
                    </td>
                    <td>
                      <Part n={o.owner_set} of={o.objects} before={p.owner_set} beforeOf={p.objects} />
                    </td>
                    <td>
                      <Part n={o.fields_complete} of={o.objects} before={p.fields_complete} beforeOf={p.objects} />
                    </td>
                    <td>
                      <Part n={o.reviewed_on_time} of={o.objects} before={p.reviewed_on_time} beforeOf={p.objects} />
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      </Section>
      <Section
        title="Cadences"
        note={
          current.cadences.overdue.length
            ? `overdue at quarter end: ${current.cadences.overdue.join(', ')}`
            : 'none overdue at quarter end'
        }
      >
        <div className="table-wrap">
          <table className="table">
            <caption className="visually-hidden">Cadence adherence</caption>
            <thead>
              <tr>
                <th scope="col">Cadence</th>
                <th scope="col">Frequency</th>
                <th scope="col" className="num">
                  Due
                </th>
                <th scope="col" className="num">
                  Held
                </th>
                <th scope="col">At quarter end</th>
              </tr>
            </thead>
            <tbody>
              {current.cadences.items.map((c) => (
                <tr key={c.id}>
                  <th scope="row">{c.name}</th>
                  <td>{c.frequency}</td>
                  <td className="num">{fmtInt(c.due)}</td>
                  <td className="num">{fmtInt(c.held)}</td>
                  <td>{c.overdue_at_end ? <span className="text-bad">overdue</span> : 'on time'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Section>
      <Section title="Open findings by age" note={<Link href="/findings">See the findings</Link>}>
        <div className="grid-2">
          <div>
            <h3 className="sub-heading">By age</h3>
            <dl className="field-list">
              <div className="field-row">
                <dt>Up to 30 days</dt>
                <dd>{fmtInt(current.findings.by_age.up_to_30_days)}</dd>
              </div>
              <div className="field-row">
                <dt>31 to 90 days</dt>
                <dd>{fmtInt(current.findings.by_age['31_to_90_days'])}</dd>
              </div>
              <div className="field-row">
                <dt>Over 90 days</dt>
                <dd>{fmtInt(current.findings.by_age.over_90_days)}</dd>
              </div>
            </dl>
          </div>
          <div>
            <h3 className="sub-heading">By kind</h3>
            <dl className="field-list">
              {Object.entries(current.findings.by_kind).map(([kind, n]) => (
                <div key={kind} className="field-row">
                  <dt>{kind.charAt(0).toUpperCase() + kind.slice(1).replace(/_/g, ' ')}</dt>
                  <dd>{fmtInt(n)}</dd>
                </div>
              ))}
            </dl>
          </div>
        </div>
        <p className="table-note">Generated {fmtDateTime(generated)}.</p>
      </Section>
    </>
  );
}
