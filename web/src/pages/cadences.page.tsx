import { useState, type FormEvent } from 'react';
import { apiSend } from '../api/client';
import type { CadenceItem, CadenceList, CadenceReview } from '../api/governance.types';
import { DownloadButton } from '../components/download-button';
import { EmptyState } from '../components/empty-state';
import { DueDate, fmtDate, FormError } from '../components/gov-parts';
import { Badge, Page, Section, Stat } from '../components/page';
import { Loaded } from '../components/status-gate';
import { fmtDateTime, fmtInt } from '../format';
import { useCanEdit } from '../role';
import { useAction } from '../use-action';
import { useApi } from '../use-api';

/**
 * Cadences and the calendar (issue 6): the review schedules with next due date, overdue flag, owner and last
 * review; recording a review held; whether the forum is required (active seats); the iCalendar feed.
 */
export function CadencesPage() {
  const list = useApi<CadenceList>('/api/v1/governance/cadences');
  return (
    <Page
      title="Cadences"
      subtitle="Review schedules, the reviews held, and the calendar feed that puts them on calendars."
    >
      <Loaded res={list} what="the cadences">
        {(d) => <CadencesBody data={d} onChanged={list.state === 'ready' ? list.reload : () => {}} />}
      </Loaded>
      <CalendarFeed />
    </Page>
  );
}

function owner(c: CadenceItem): string {
  return [c.owner_person, c.owner_role ? `role ${c.owner_role}` : null].filter(Boolean).join(', ') || '—';
}

function CadencesBody({ data, onChanged }: { data: CadenceList; onChanged: () => void }) {
  const canEdit = useCanEdit();
  const overdue = data.items.filter((c) => c.overdue).length;
  return (
    <>
      <div className="stats stats-compact">
        <Stat
          label="Cadences"
          value={fmtInt(data.items.length)}
          detail={`${data.items.filter((c) => c.active).length} active`}
        />
        <Stat label="Overdue" value={fmtInt(overdue)} />
        <Stat
          label="Active seats"
          value={fmtInt(data.active_seats)}
          detail={`people active in the last ${data.active_seat_window_days} days`}
        />
        <Stat
          label="Governance forum"
          value={data.forum_required ? 'Required' : 'Not required'}
          detail={`required above ${fmtInt(data.forum_seat_threshold)} active seats`}
        />
      </div>
      {data.forum_required && !data.items.some((c) => c.kind === 'forum' && c.active) ? (
        <p className="notice" role="status">
          <Badge tone="warn">Forum required</Badge> More than {data.forum_seat_threshold} people are active: switch the
          monthly governance forum on.
        </p>
      ) : null}
      <Section title="Schedules" note={overdue ? `${overdue} overdue` : 'none overdue'}>
        <div className="table-wrap">
          <table className="table">
            <caption className="visually-hidden">Review cadences</caption>
            <thead>
              <tr>
                <th scope="col">Cadence</th>
                <th scope="col">Frequency</th>
                <th scope="col">Owner</th>
                <th scope="col">Last review</th>
                <th scope="col">Next due</th>
                <th scope="col">Active</th>
              </tr>
            </thead>
            <tbody>
              {data.items.map((c) => (
                <tr key={c.id} data-overdue={c.overdue ? 'true' : undefined}>
                  <th scope="row">
                    {c.name}
                    <span className="cell-sub">
                      {' '}
                      attendees: {[...c.attendees.roles, ...c.attendees.people].join(', ') || 'none listed'}
                    </span>
                  </th>
                  <td>{c.frequency}</td>
                  <td>{owner(c)}</td>
                  <td className="nowrap">
                    {c.last_review_at ? fmtDate(c.last_review_at) : <span className="muted">none yet</span>}
                  </td>
                  <td className="nowrap">
                    <DueDate due={c.next_due} overdue={c.overdue ?? false} />
                    {c.overdue_after && !c.overdue && c.active ? (
                      <span className="cell-sub"> overdue after {fmtDate(c.overdue_after)}</span>
                    ) : null}
                  </td>
                  <td className="nowrap">
                    {c.active ? 'yes' : <span className="muted">no</span>}
                    {canEdit ? <ActiveToggle cadence={c} onChanged={onChanged} /> : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Section>
      {canEdit ? <RecordReview cadences={data.items} onRecorded={onChanged} /> : null}
      <RecentReviews cadences={data.items} />
    </>
  );
}

/** Switch a cadence on or off (the forum once it is required; the pilot check-in when the pilot graduates). */
function ActiveToggle({ cadence, onChanged }: { cadence: CadenceItem; onChanged: () => void }) {
  const { busy, error, run } = useAction();
  const toggle = async (): Promise<void> => {
    const path = `/api/v1/governance/cadences/${encodeURIComponent(cadence.id)}`;
    if (await run(() => apiSend('PATCH', path, { active: !cadence.active }))) onChanged();
  };
  return (
    <>
      {' '}
      <button
        type="button"
        className="link-button"
        disabled={busy}
        aria-label={`Switch ${cadence.name} ${cadence.active ? 'off' : 'on'}`}
        onClick={() => void toggle()}
      >
        {cadence.active ? 'switch off' : 'switch on'}
      </button>
      <FormError error={error} />
    </>
  );
}

const lines = (s: string): string[] =>
  s
    .split(/\n|,/)
    .map((x) => x.trim())
    .filter(Boolean);

/**
 * When a review held on `date` (YYYY-MM-DD) happened: noon UTC of that day, or now if that noon is still ahead — a
 * review recorded this morning must count at once (the server counts reviews held up to now, so a noon in the future
 * left the cadence overdue until midday UTC).
 */
function heldAt(date: string): string {
  const noon = `${date}T12:00:00Z`;
  return Date.parse(noon) > Date.now() ? new Date().toISOString() : noon;
}

function RecordReview({ cadences, onRecorded }: { cadences: CadenceItem[]; onRecorded: () => void }) {
  const [cadence, setCadence] = useState(cadences.find((c) => c.overdue)?.id ?? cadences[0]?.id ?? '');
  const [date, setDate] = useState(() => new Date().toISOString().slice(0, 10));
  const [attendees, setAttendees] = useState('');
  const [notes, setNotes] = useState('');
  const [decisions, setDecisions] = useState('');
  const [done, setDone] = useState<string | null>(null);
  const { busy, error, run } = useAction();

  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    setDone(null);
    const body = {
      held_at: heldAt(date),
      attendees: lines(attendees),
      notes,
      decisions: decisions
        .split('\n')
        .map((x) => x.trim())
        .filter(Boolean),
    };
    const saved = await run(() =>
      apiSend<CadenceReview>('POST', `/api/v1/governance/cadences/${encodeURIComponent(cadence)}/reviews`, body),
    );
    if (saved) {
      setDone(`Review of ${cadences.find((c) => c.id === cadence)?.name ?? cadence} recorded.`);
      setAttendees('');
      setNotes('');
      setDecisions('');
      onRecorded();
    }
  };

  return (
    <Section title="Record a review">
      <form className="gov-form" onSubmit={(e) => void submit(e)} aria-label="Record a review">
        <div className="form-grid">
          <div className="form-field">
            <label htmlFor="review-cadence">Cadence</label>
            <select id="review-cadence" value={cadence} onChange={(e) => setCadence(e.target.value)}>
              {cadences.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                  {c.overdue ? ' (overdue)' : ''}
                </option>
              ))}
            </select>
          </div>
          <div className="form-field">
            <label htmlFor="review-date">Held on</label>
            <input id="review-date" type="date" required value={date} onChange={(e) => setDate(e.target.value)} />
          </div>
          <div className="form-field wide">
            <label htmlFor="review-attendees">
              Attendees <span className="muted">(emails or names, comma or line separated)</span>
            </label>
            <textarea
              id="review-attendees"
              rows={2}
              required
              value={attendees}
              onChange={(e) => setAttendees(e.target.value)}
            />
          </div>
          <div className="form-field wide">
            <label htmlFor="review-notes">Notes</label>
            <textarea id="review-notes" rows={3} value={notes} onChange={(e) => setNotes(e.target.value)} />
          </div>
          <div className="form-field wide">
            <label htmlFor="review-decisions">
              Decisions <span className="muted">(one per line)</span>
            </label>
            <textarea id="review-decisions" rows={3} value={decisions} onChange={(e) => setDecisions(e.target.value)} />
          </div>
        </div>
        <FormError error={error} />
        {done ? (
          <p className="form-ok" role="status">
            {done}
          </p>
        ) : null}
        <div className="form-actions">
          <button type="submit" className="button button-primary" disabled={busy || cadence === ''}>
            {busy ? 'Recording…' : 'Record review'}
          </button>
        </div>
      </form>
    </Section>
  );
}

function RecentReviews({ cadences }: { cadences: CadenceItem[] }) {
  const [id, setId] = useState(cadences[0]?.id ?? '');
  const key = cadences.find((c) => c.id === id)?.last_review_at ?? '';
  return (
    <Section
      title="Reviews held"
      note={
        <label className="inline-field">
          Cadence
          <select value={id} onChange={(e) => setId(e.target.value)}>
            {cadences.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        </label>
      }
    >
      {id ? <ReviewList key={`${id}:${key}`} id={id} /> : null}
    </Section>
  );
}

function ReviewList({ id }: { id: string }) {
  const reviews = useApi<{ items: CadenceReview[] }>(`/api/v1/governance/cadences/${encodeURIComponent(id)}/reviews`);
  return (
    <Loaded res={reviews} what="the reviews">
      {(d) =>
        d.items.length === 0 ? (
          <EmptyState title="No review recorded for this cadence yet" />
        ) : (
          <ol className="history">
            {d.items.map((r) => (
              <li key={r.id} className="history-entry">
                <div className="history-head">
                  <strong>{fmtDate(r.held_at)}</strong>{' '}
                  <span className="muted">
                    recorded {fmtDateTime(r.created_at)} by {r.created_by}
                  </span>
                </div>
                <p className="history-note">Attendees: {r.attendees.join(', ')}</p>
                {r.notes ? <p className="history-note wrap">{r.notes}</p> : null}
                {r.decisions.length ? (
                  <ul className="plain-list">
                    {r.decisions.map((x, i) => (
                      <li key={i}>Decision: {x}</li>
                    ))}
                  </ul>
                ) : null}
              </li>
            ))}
          </ol>
        )
      }
    </Loaded>
  );
}

function CalendarFeed() {
  const url = `${window.location.origin}/api/v1/governance/calendar.ics`;
  const [who, setWho] = useState('');
  const [issued, setIssued] = useState<string | null>(null);
  const { busy, error, run } = useAction();
  const subscribe = async (): Promise<void> => {
    const value = who.trim();
    const body = value === '' ? {} : value.includes('@') ? { person: value } : { role: value };
    await run(async () => {
      const feed = await apiSend<{ url: string }>('POST', '/api/v1/governance/calendar-feeds', body);
      setIssued(feed.url);
    });
  };
  return (
    <Section title="Calendar feed" note="iCalendar (RFC 5545)">
      <p className="card-lead">
        Every active cadence as a repeating event from its next due date; a recorded review moves the next occurrence at
        the calendar&apos;s next refresh.
      </p>
      <label htmlFor="feed-who">Subscription URL for a person (email) or a role; empty for every cadence</label>
      <div className="form-actions">
        <input
          id="feed-who"
          type="text"
          value={who}
          placeholder="ana@example.com or security"
          onChange={(e) => setWho(e.target.value)}
        />
        <button type="button" disabled={busy} onClick={() => void subscribe()}>
          Get subscription URL
        </button>
      </div>
      <FormError error={error} />
      {issued ? (
        <>
          <label htmlFor="ics-subscription">Subscribe to this URL in Outlook, Google Calendar or Apple Calendar</label>
          <input
            id="ics-subscription"
            className="code-input"
            type="text"
            readOnly
            value={issued}
            onFocus={(e) => e.target.select()}
          />
        </>
      ) : null}
      <ul className="plain-list help">
        <li>
          A subscription URL needs no token: it is signed for that one feed (the review schedule only). An admin can
          revoke every URL issued with <code>POST /api/v1/governance/calendar-feeds/rotate</code>.
        </li>
        <li>
          With a token instead: <code>{url}?person=ana@example.com</code> or <code>{url}?role=security</code> and an{' '}
          <code>Authorization: Bearer …</code> header.
        </li>
      </ul>
      <div className="form-actions">
        <DownloadButton
          path="/api/v1/governance/calendar.ics"
          filename="steward-governance.ics"
          label="Download .ics"
        />
      </div>
    </Section>
  );
}
