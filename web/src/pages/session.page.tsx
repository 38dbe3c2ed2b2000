import { useState, type ReactNode } from 'react';
import type { SessionDetail, TimelineEvent } from '../api/types';
import { EmptyState } from '../components/empty-state';
import { Badge, ErrorPanel, Loading, Page, Section, Stat } from '../components/page';
import { SURFACE_LABELS } from '../components/session-table';
import { fmtDateTime, fmtDuration, fmtInt, fmtUsd, personLabel } from '../format';
import { usePeopleIndex } from '../people-index';
import { Link } from '../router';
import { useApi } from '../use-api';

/**
 * The thread viewer: a session read as what happened, prompt by prompt, in order — the prompt, the model requests
 * it caused (model, tokens, estimated cost), the tool decisions and results, and the response — with the time of
 * each step from the prompt and how long it took. Hooks, plugin loads, settings and spans are hidden unless asked.
 */
const THREAD_KINDS = new Set([
  'prompt',
  'response',
  'api_request',
  'api_error',
  'api_refusal',
  'tool_decision',
  'tool_result',
  'policy_decision',
  'mcp_call',
  'skill_activated',
  'subagent',
  'compaction',
]);

const KIND_LABELS: Record<string, string> = {
  prompt: 'Prompt',
  response: 'Response',
  api_request: 'API request',
  api_error: 'API error',
  api_refusal: 'Refusal',
  tool_decision: 'Tool decision',
  tool_result: 'Tool result',
  policy_decision: 'Policy decision',
  mcp_call: 'MCP call',
  mcp_connection: 'MCP connection',
  skill_activated: 'Skill',
  subagent: 'Subagent',
  compaction: 'Compaction',
  hook: 'Hook',
  plugin: 'Plugin',
  auth: 'Sign-in',
  permission_change: 'Permissions',
  settings: 'Settings',
  span: 'Span',
  other: 'Event',
};

export function SessionPage({ id }: { id: string }) {
  const res = useApi<SessionDetail>(`/api/v1/sessions/${encodeURIComponent(id)}`);
  const people = usePeopleIndex();
  const [showSystem, setShowSystem] = useState(false);

  if (res.state !== 'ready') {
    return (
      <Page title="Session" subtitle={<Link href="/sessions">← All sessions</Link>}>
        {res.state === 'loading' ? <Loading what="the session" /> : null}
        {res.state === 'error' && res.error.status === 404 ? (
          <EmptyState title="No such session">
            <p>
              No session with the id <code>{id}</code> is known to this Steward.{' '}
              <Link href="/sessions">Browse sessions</Link>.
            </p>
          </EmptyState>
        ) : null}
        {res.state === 'error' && res.error.status !== 404 ? <ErrorPanel error={res.error} /> : null}
      </Page>
    );
  }

  const { session: s, timeline, truncated } = res.data;
  const person = s.person_id ? people.get(s.person_id) : undefined;
  const prompts = timeline.filter((g) => g.prompt_id !== null);
  return (
    <Page
      title={`Session ${fmtDateTime(s.first_seen)}`}
      subtitle={
        <>
          <Link href="/sessions">← All sessions</Link> · {SURFACE_LABELS[s.surface] ?? s.surface}
          {s.app_version ? ` ${s.app_version}` : ''} · by{' '}
          {s.person_id ? (
            <Link href={`/people/${encodeURIComponent(s.person_id)}`}>
              {person ? personLabel(person) : s.person_id.slice(0, 8)}
            </Link>
          ) : (
            'unknown'
          )}
          {s.department || s.team ? ` (${[s.department, s.team].filter(Boolean).join(' / ')})` : ''}
        </>
      }
    >
      <div className="stats">
        <Stat
          label="Duration"
          value={fmtDuration(Date.parse(s.last_seen) - Date.parse(s.first_seen))}
          detail={`${fmtDateTime(s.first_seen)} → ${fmtDateTime(s.last_seen)}`}
        />
        <Stat
          label="Prompts"
          value={fmtInt(s.counts.prompts)}
          detail={`${plural(s.counts.api_requests, 'API request')}, ${plural(s.counts.tool_calls, 'tool call')}`}
        />
        <Stat
          label="Tokens in / out"
          value={`${fmtInt(s.tokens.input)} / ${fmtInt(s.tokens.output)}`}
          detail={`cache read ${fmtInt(s.tokens.cache_read)}, write ${fmtInt(s.tokens.cache_write)}`}
        />
        <Stat label="Estimated cost" value={fmtUsd(s.cost_usd_estimate)} detail="from the client's price table" />
      </div>
      <Section
        title="Thread"
        note={
          <label className="toggle">
            <input type="checkbox" checked={showSystem} onChange={(e) => setShowSystem(e.target.checked)} /> Show hooks,
            plugins, settings and spans
          </label>
        }
      >
        {truncated ? (
          <p className="notice">This session is very long; the thread shows its first 5,000 events.</p>
        ) : null}
        {prompts.length === 0 ? <p className="notice">No prompts were recorded in this session.</p> : null}
        <ol className="thread">
          {timeline.map((group, i) => {
            const number = prompts.indexOf(group) + 1;
            const events = group.events.filter((e) => showSystem || THREAD_KINDS.has(e.kind));
            const hidden = group.events.length - events.length;
            if (group.prompt_id === null && events.length === 0 && !showSystem) {
              return (
                <li key={`none-${i}`} className="thread-group thread-group-quiet">
                  <p className="muted">
                    Session setup and background: {hidden} hook, plugin and settings event{hidden === 1 ? '' : 's'}{' '}
                    (shown with the switch above).
                  </p>
                </li>
              );
            }
            return (
              <PromptGroup
                key={group.prompt_id ?? `none-${i}`}
                number={number}
                started={group.started}
                events={events}
                all={group.events}
                hidden={hidden}
              />
            );
          })}
        </ol>
      </Section>
    </Page>
  );
}

function PromptGroup({
  number,
  started,
  events,
  all,
  hidden,
}: {
  number: number;
  started: string;
  events: TimelineEvent[];
  all: TimelineEvent[];
  hidden: number;
}) {
  const t0 = Date.parse(started);
  const last = all[all.length - 1];
  const span = last ? Date.parse(last.time) + (last.duration_ms ?? 0) - t0 : 0;
  const cost = all.reduce((c, e) => c + (e.kind === 'api_request' ? (e.cost_usd_estimate ?? 0) : 0), 0);
  const requests = all.filter((e) => e.kind === 'api_request').length;
  return (
    <li className="thread-group">
      <header className="thread-group-header">
        <h3>{number > 0 ? `Prompt ${number}` : 'Outside any prompt'}</h3>
        <span className="muted">
          {fmtDateTime(started)} · {fmtDuration(span)} · {requests} API request{requests === 1 ? '' : 's'} ·{' '}
          {fmtUsd(cost)} estimated
          {hidden > 0 ? ` · ${hidden} hook and system event${hidden === 1 ? '' : 's'} hidden` : ''}
        </span>
      </header>
      <ol className="steps">
        {events.map((e) => (
          <li key={String(e.id)} className={`step step-${e.kind}`}>
            <span className="step-time" title={fmtDateTime(e.time)}>
              +{fmtDuration(Date.parse(e.time) - t0)}
            </span>
            <span className="step-kind">{KIND_LABELS[e.kind] ?? e.kind}</span>
            <span className="step-body">{describe(e)}</span>
          </li>
        ))}
      </ol>
    </li>
  );
}

function attr(e: TimelineEvent, key: string): string | undefined {
  const v = e.attributes[key];
  return typeof v === 'string' || typeof v === 'number' ? String(v) : undefined;
}

function describe(e: TimelineEvent): ReactNode {
  const took = e.duration_ms !== null ? <span className="step-meta">took {fmtDuration(e.duration_ms)}</span> : null;
  switch (e.kind) {
    case 'prompt': {
      const length = attr(e, 'prompt_length');
      return (
        <>
          {e.content ? (
            <q className="step-content">{e.content}</q>
          ) : (
            <span className="step-meta">text not captured</span>
          )}
          {length ? <span className="step-meta">{fmtInt(Number(length))} characters</span> : null}
        </>
      );
    }
    case 'api_request':
      return (
        <>
          <code>{e.model ?? 'unknown model'}</code>
          {e.tokens ? (
            <span className="step-meta">
              in {fmtInt(e.tokens.input)} · out {fmtInt(e.tokens.output)} · cache read {fmtInt(e.tokens.cache_read)} ·
              cache write {fmtInt(e.tokens.cache_write)}
            </span>
          ) : null}
          <span className="step-meta">{fmtUsd(e.cost_usd_estimate)} est.</span>
          {took}
        </>
      );
    case 'tool_decision':
      return (
        <>
          <ToolName e={e} />
          <Badge tone={e.decision === 'accept' ? 'good' : e.decision === 'reject' ? 'bad' : 'neutral'}>
            {e.decision ?? 'unknown'}
          </Badge>
          {e.decision_source ? <span className="step-meta">by {e.decision_source}</span> : null}
        </>
      );
    case 'tool_result': {
      const input = attr(e, 'tool_input_size_bytes');
      const output = attr(e, 'tool_result_size_bytes');
      return (
        <>
          <ToolName e={e} />
          {e.success === null ? null : (
            <Badge tone={e.success ? 'good' : 'bad'}>{e.success ? 'succeeded' : 'failed'}</Badge>
          )}
          {took}
          {input || output ? (
            <span className="step-meta">
              {input ? `${fmtInt(Number(input))} B in` : ''}
              {input && output ? ' · ' : ''}
              {output ? `${fmtInt(Number(output))} B out` : ''}
            </span>
          ) : null}
        </>
      );
    }
    case 'response': {
      const length = attr(e, 'response_length');
      return (
        <>
          {e.content ? (
            <q className="step-content">{e.content}</q>
          ) : (
            <span className="step-meta">text not captured</span>
          )}
          {length ? <span className="step-meta">{fmtInt(Number(length))} characters</span> : null}
        </>
      );
    }
    case 'hook':
      return (
        <>
          <code>{attr(e, 'hook_name') ?? attr(e, 'hook_event') ?? e.name}</code>{' '}
          <span className="step-meta">{e.name.replace(/_/g, ' ')}</span>
          {took}
        </>
      );
    default:
      return (
        <>
          <code>{e.name}</code>
          {e.tool ? <ToolName e={e} /> : null}
          {e.model ? <code>{e.model}</code> : null}
          {took}
        </>
      );
  }
}

function ToolName({ e }: { e: TimelineEvent }) {
  if (e.mcp_server) {
    return (
      <code>
        {e.mcp_server} › {e.mcp_tool ?? e.tool}
      </code>
    );
  }
  return <code>{e.tool ?? 'unknown tool'}</code>;
}

function plural(n: number, noun: string): string {
  return `${fmtInt(n)} ${noun}${n === 1 ? '' : 's'}`;
}
