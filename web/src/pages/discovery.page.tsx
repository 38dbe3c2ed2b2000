import { useEffect } from 'react';
import type { DiscoveredItem, DiscoveryKind, DiscoveryReport } from '../api/analytics.types';
import { EmptyState } from '../components/empty-state';
import { Badge, Page, Section } from '../components/page';
import { Loaded, PeriodText, StatusGate } from '../components/status-gate';
import { ItemName, TopPeople, WhatsNew } from '../components/whats-new';
import { WindowPicker } from '../components/window-picker';
import { fmtInt, fmtShortDateTime } from '../format';
import { KIND_LABELS } from '../kind-labels';
import { Link, useLocation } from '../router';
import { useApi } from '../use-api';
import { usePeriod } from '../use-period';
import { parseDays } from '../usage-window';

const SECTIONS: { kind: DiscoveryKind; key: keyof DiscoveryReport }[] = [
  { kind: 'person', key: 'people' },
  { kind: 'model', key: 'models' },
  { kind: 'agent', key: 'agents' },
  { kind: 'skill', key: 'skills' },
  { kind: 'plugin', key: 'plugins' },
  { kind: 'mcp_server', key: 'mcp_servers' },
  { kind: 'workspace', key: 'workspaces' },
];

/** Discovery (issue 3 §6): everything seen, first and last seen and by whom; what is new; who to review. */
export function DiscoveryPage() {
  const { query } = useLocation();
  const days = parseDays(query.get('days'));
  const { status, period, query: q } = usePeriod(days);
  const report = useApi<DiscoveryReport>(q('/api/v1/analytics/discovery'));
  const ready = report.state === 'ready';

  // Links such as /discovery#unsanctioned land on their section once it exists.
  useEffect(() => {
    if (ready && window.location.hash) document.getElementById(window.location.hash.slice(1))?.scrollIntoView();
  }, [ready]);

  return (
    <Page
      title="Discovery"
      subtitle={
        period ? (
          <>
            Every person, model, agent, skill, plugin, MCP server and workspace folder seen over{' '}
            <PeriodText period={period} />.
          </>
        ) : undefined
      }
      actions={<WindowPicker path="/discovery" days={days} query={query} />}
    >
      <StatusGate status={status}>
        <Loaded res={report} what="discovery">
          {(d) => <DiscoveryBody report={d} days={days} />}
        </Loaded>
      </StatusGate>
    </Page>
  );
}

function DiscoveryBody({ report, days }: { report: DiscoveryReport; days: number }) {
  const isNew = new Set(report.new_this_week.map((i) => `${i.kind}:${i.value}`));
  const items = (key: keyof DiscoveryReport) => report[key] as DiscoveredItem[];
  return (
    <>
      <nav className="stats stats-compact" aria-label="Seen in this period">
        {SECTIONS.map((s) => (
          <a key={s.kind} href={`#seen-${s.kind}`} className="stat stat-link">
            <span className="stat-label">{KIND_LABELS[s.kind].many}</span>
            <span className="stat-value">{fmtInt(items(s.key).length)}</span>
          </a>
        ))}
      </nav>
      <Unsanctioned report={report} />
      <Section title="New this week" note={`first seen since ${fmtShortDateTime(report.new_since)}`}>
        <WhatsNew items={report.new_this_week} days={days} since={report.new_since} />
      </Section>
      {SECTIONS.map((s) => (
        <div key={s.kind} id={`seen-${s.kind}`}>
          <Section title={KIND_LABELS[s.kind].many} note={`${fmtInt(items(s.key).length)} seen`}>
            <ItemsTable kind={s.kind} items={items(s.key)} isNew={isNew} days={days} />
          </Section>
        </div>
      ))}
      {report.plugin_events_from !== report.from ? (
        <p className="table-note">
          Plugins are read from plugin events since {fmtShortDateTime(report.plugin_events_from)} (raw events are kept
          to 92 days per read).
        </p>
      ) : null}
    </>
  );
}

function Unsanctioned({ report }: { report: DiscoveryReport }) {
  const list = report.unsanctioned_candidates;
  return (
    <div id="unsanctioned">
      <Section title="Unsanctioned candidates" note={`${fmtInt(list.length)} to review`}>
        <p className="card-lead">{report.unsanctioned_note}</p>
        {list.length === 0 ? (
          <EmptyState title="No one to review">Everyone active in this period has a known department.</EmptyState>
        ) : (
          <div className="table-wrap">
            <table className="table">
              <caption className="visually-hidden">Unsanctioned candidates</caption>
              <thead>
                <tr>
                  <th scope="col">Person</th>
                  <th scope="col">Why</th>
                  <th scope="col">Last seen</th>
                </tr>
              </thead>
              <tbody>
                {list.map((p) => (
                  <tr key={p.person_id}>
                    <th scope="row">
                      <Link href={`/people/${encodeURIComponent(p.person_id)}`}>
                        {p.display_name ?? p.person_id.slice(0, 8)}
                      </Link>
                    </th>
                    <td>
                      <Badge tone="warn">Unsanctioned candidate</Badge> <span className="cell-sub">{p.reason}</span>
                    </td>
                    <td className="nowrap">{fmtShortDateTime(p.last_seen)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Section>
    </div>
  );
}

function ItemsTable({
  kind,
  items,
  isNew,
  days,
}: {
  kind: DiscoveryKind;
  items: DiscoveredItem[];
  isNew: Set<string>;
  days: number;
}) {
  if (items.length === 0) {
    return <EmptyState title={`No ${KIND_LABELS[kind].many.toLowerCase()} seen in this period`} />;
  }
  const person = kind === 'person';
  return (
    <div className="table-wrap">
      <table className="table">
        <caption className="visually-hidden">{KIND_LABELS[kind].many} seen</caption>
        <thead>
          <tr>
            <th scope="col">{KIND_LABELS[kind].one}</th>
            <th scope="col">First seen</th>
            <th scope="col">Last seen</th>
            {person ? null : (
              <>
                <th scope="col" className="num">
                  People
                </th>
                <th scope="col">Used most by</th>
              </>
            )}
          </tr>
        </thead>
        <tbody>
          {items.map((item) => (
            <tr key={item.value}>
              <th scope="row">
                <ItemName item={item} days={days} />
                {isNew.has(`${item.kind}:${item.value}`) ? (
                  <>
                    {' '}
                    <Badge tone="accent">New</Badge>
                  </>
                ) : null}
              </th>
              <td className="nowrap">{fmtShortDateTime(item.first_seen)}</td>
              <td className="nowrap">{fmtShortDateTime(item.last_seen)}</td>
              {person ? null : (
                <>
                  <td className="num">{fmtInt(item.people)}</td>
                  <td>
                    <TopPeople item={item} />
                  </td>
                </>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
