import { useEffect, useState, type FormEvent } from 'react';
import { apiSend, apiText, ApiError } from '../api/client';
import { KIND_PATHS, type Meeting } from '../api/governance.types';
import { DownloadButton } from '../components/download-button';
import { EmptyState } from '../components/empty-state';
import { fmtDate, FormError } from '../components/gov-parts';
import { ErrorPanel, Loading, Page, Section } from '../components/page';
import { Loaded } from '../components/status-gate';
import { Link } from '../router';
import { useCanEdit } from '../role';
import { useAction } from '../use-action';
import { useApi } from '../use-api';

/**
 * The governance forum (issue 6): the standing agenda generated from live data (as the Markdown the API exports),
 * the meetings held with their decisions — a structured one ("approve connector X with scopes Y") changed the
 * inventory, and says how — and, for admins, recording a meeting.
 */
export function ForumPage() {
  const meetings = useApi<{ items: Meeting[] }>('/api/v1/governance/meetings');
  const reload = meetings.state === 'ready' ? meetings.reload : () => {};
  return (
    <Page
      title="Forum"
      subtitle="The monthly governance forum: its standing agenda, the meetings held and their decisions."
    >
      <Agenda />
      {useCanEdit() ? <RecordMeeting onRecorded={reload} /> : null}
      <Section title="Meetings" note="newest first">
        <Loaded res={meetings} what="the meetings">
          {(d) => <MeetingList meetings={d.items} />}
        </Loaded>
      </Section>
    </Page>
  );
}

function Agenda() {
  const [agenda, setAgenda] = useState<{ text: string } | { error: ApiError } | null>(null);
  useEffect(() => {
    const controller = new AbortController();
    apiText('/api/v1/governance/meetings/agenda.md', controller.signal).then(
      (text) => setAgenda({ text }),
      (err: unknown) => {
        if (!controller.signal.aborted) {
          setAgenda({ error: err instanceof ApiError ? err : new ApiError(0, 'network', 'could not reach Steward') });
        }
      },
    );
    return () => controller.abort();
  }, []);
  return (
    <Section
      title="Standing agenda"
      note={
        <DownloadButton
          path="/api/v1/governance/meetings/agenda.md"
          filename="forum-agenda.md"
          label="Export Markdown"
        />
      }
    >
      <p className="card-lead">
        Generated from live data for today: usage, incidents and findings, connector and skill requests, training
        opt-out and retention posture. Paste the Markdown into Notion or Confluence.
      </p>
      {agenda === null ? <Loading what="the agenda" /> : null}
      {agenda && 'error' in agenda ? <ErrorPanel error={agenda.error} /> : null}
      {agenda && 'text' in agenda ? (
        <pre className="code-block agenda" tabIndex={0} aria-label="Standing agenda (Markdown)">
          {agenda.text}
        </pre>
      ) : null}
    </Section>
  );
}

function MeetingList({ meetings }: { meetings: Meeting[] }) {
  if (meetings.length === 0) return <EmptyState title="No forum meeting recorded yet" />;
  return (
    <ol className="history">
      {meetings.map((m) => (
        <li key={m.id} className="history-entry" data-meeting={m.id}>
          <div className="history-head">
            <strong>{m.title}</strong> <span className="muted">{fmtDate(m.held_at)}</span>
          </div>
          <p className="history-note">
            Attendees: {m.attendees.length ? m.attendees.join(', ') : <span className="muted">none listed</span>}
          </p>
          {m.notes ? <p className="history-note wrap">{m.notes}</p> : null}
          {m.decisions.length ? (
            <ul className="plain-list" aria-label={`Decisions of ${m.title}`}>
              {m.decisions.map((d) => (
                <li key={d.id}>
                  {d.text}
                  {d.outcome ? (
                    <>
                      {' '}
                      <span className="muted">
                        (
                        <Link
                          href={`/inventory/${KIND_PATHS[d.outcome.object_kind]}/${encodeURIComponent(d.outcome.object_id)}`}
                        >
                          {d.outcome.name}
                        </Link>
                        : {d.outcome.from} → {d.outcome.to})
                      </span>
                    </>
                  ) : null}
                </li>
              ))}
            </ul>
          ) : null}
        </li>
      ))}
    </ol>
  );
}

const list = (s: string, sep: RegExp): string[] =>
  s
    .split(sep)
    .map((x) => x.trim())
    .filter(Boolean);

function RecordMeeting({ onRecorded }: { onRecorded: () => void }) {
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
      held_at: date,
      attendees: list(attendees, /\n|,/),
      notes,
      decisions: list(decisions, /\n/),
    };
    const saved = await run(() => apiSend<Meeting>('POST', '/api/v1/governance/meetings', body));
    if (saved) {
      setDone(`${saved.value.title} recorded with ${saved.value.decisions.length} decisions.`);
      setAttendees('');
      setNotes('');
      setDecisions('');
      onRecorded();
    }
  };

  return (
    <Section title="Record a meeting">
      <form className="gov-form" onSubmit={(e) => void submit(e)} aria-label="Record a meeting">
        <div className="form-grid">
          <div className="form-field">
            <label htmlFor="meeting-date">Held on</label>
            <input id="meeting-date" type="date" required value={date} onChange={(e) => setDate(e.target.value)} />
          </div>
          <div className="form-field wide">
            <label htmlFor="meeting-attendees">
              Attendees <span className="muted">(comma or line separated)</span>
            </label>
            <textarea
              id="meeting-attendees"
              rows={2}
              value={attendees}
              onChange={(e) => setAttendees(e.target.value)}
            />
          </div>
          <div className="form-field wide">
            <label htmlFor="meeting-notes">Notes</label>
            <textarea id="meeting-notes" rows={3} value={notes} onChange={(e) => setNotes(e.target.value)} />
          </div>
          <div className="form-field wide">
            <label htmlFor="meeting-decisions">
              Decisions <span className="muted">(one per line)</span>
            </label>
            <textarea
              id="meeting-decisions"
              rows={3}
              aria-describedby="meeting-decisions-help"
              value={decisions}
              onChange={(e) => setDecisions(e.target.value)}
            />
            <p id="meeting-decisions-help" className="help">
              “approve connector github with scopes repo:read”, “deny skill X” or “retire workspace Y” change the
              inventory (connector decisions reference the meeting); other lines are recorded as they are.
            </p>
          </div>
        </div>
        <FormError error={error} />
        {done ? (
          <p className="form-ok" role="status">
            {done}
          </p>
        ) : null}
        <div className="form-actions">
          <button type="submit" className="button button-primary" disabled={busy}>
            {busy ? 'Recording…' : 'Record meeting'}
          </button>
        </div>
      </form>
    </Section>
  );
}
