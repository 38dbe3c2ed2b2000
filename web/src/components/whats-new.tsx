import type { DiscoveredItem } from '../api/analytics.types';
import { fmtShortDateTime } from '../format';
import { graphHref, KIND_LABELS } from '../kind-labels';
import { Link } from '../router';
import { EmptyState } from './empty-state';

/** Who used a discovered thing most, as links to their pages. */
export function TopPeople({ item, limit = 3 }: { item: DiscoveredItem; limit?: number }) {
  if (item.top_people.length === 0) return <span className="muted">—</span>;
  const shown = item.top_people.slice(0, limit);
  return (
    <span className="people-list">
      {shown.map((p, i) => (
        <span key={p.person_id}>
          {i > 0 ? ', ' : null}
          <Link href={`/people/${encodeURIComponent(p.person_id)}`}>{p.display_name ?? p.person_id.slice(0, 8)}</Link>
        </span>
      ))}
      {item.people > shown.length ? <span className="muted"> and {item.people - shown.length} more</span> : null}
    </span>
  );
}

/** A discovered thing's name: a person links to their page, anything else to its place in the access graph. */
export function ItemName({ item, days }: { item: DiscoveredItem; days: number }) {
  const href =
    item.kind === 'person' ? `/people/${encodeURIComponent(item.value)}` : graphHref(item.kind, item.value, days);
  return (
    <Link href={href} className="wrap">
      {item.label}
    </Link>
  );
}

/** Everything first seen in the 7 days before the period's end (discovery's `new_this_week`). */
export function WhatsNew({
  items,
  days,
  limit,
  since,
}: {
  items: DiscoveredItem[];
  days: number;
  limit?: number;
  since: string;
}) {
  if (items.length === 0) {
    return (
      <EmptyState title="Nothing new this week">
        <p>
          No person, model, agent, skill, plugin, MCP server or workspace folder was seen for the first time since{' '}
          {fmtShortDateTime(since)}.
        </p>
      </EmptyState>
    );
  }
  const shown = [...items].sort((a, b) => b.first_seen.localeCompare(a.first_seen)).slice(0, limit ?? items.length);
  return (
    <div className="table-wrap">
      <table className="table">
        <caption className="visually-hidden">First seen in the last 7 days</caption>
        <thead>
          <tr>
            <th scope="col">What</th>
            <th scope="col">Kind</th>
            <th scope="col">First seen</th>
            <th scope="col">By</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((item) => (
            <tr key={`${item.kind}:${item.value}`}>
              <th scope="row">
                <ItemName item={item} days={days} />
              </th>
              <td className="nowrap">{KIND_LABELS[item.kind].one}</td>
              <td className="nowrap">
                <time dateTime={item.first_seen}>{fmtShortDateTime(item.first_seen)}</time>
              </td>
              <td>
                <TopPeople item={item} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {shown.length < items.length ? (
        <p className="table-note">
          The {shown.length} most recent of {items.length}.
        </p>
      ) : null}
    </div>
  );
}
