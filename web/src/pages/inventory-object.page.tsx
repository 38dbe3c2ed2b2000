import { useState } from 'react';
import { apiSend } from '../api/client';
import {
  KIND_NAMES,
  KIND_PATHS,
  type ConnectorDecision,
  type GovHistoryEntry,
  type GovKind,
  type GovObject,
  type PolicyReminders,
  type PolicyVersion,
} from '../api/governance.types';
import { ConnectorDecisions } from '../components/gov-connector-decision';
import { GovEditForm } from '../components/gov-edit-form';
import { GovHistory } from '../components/gov-history';
import { DueDate, isPast, FieldValue, fieldLabel, FormError, StatusBadge } from '../components/gov-parts';
import { PolicyVersions } from '../components/gov-policy-versions';
import { ErrorPanel, Loading, Page, Section } from '../components/page';
import { Loaded } from '../components/status-gate';
import { fmtDateTime } from '../format';
import { Link } from '../router';
import { useCanEdit } from '../role';
import { useAction } from '../use-action';
import { useApi } from '../use-api';

/** Shown in the header and the dates block rather than in the field list. */
const SHOWN_ELSEWHERE = new Set([
  'id',
  'kind',
  'name',
  'status',
  'current_version',
  'last_reviewed_at',
  'next_review_due',
  'created_at',
  'created_by',
  'updated_at',
  'updated_by',
  'body',
]);

/**
 * One governance object: every field, its change history (who, when, before → after), and for admins the actions:
 * mark reviewed, edit, a connector's status decision. Policies show their versions and who has not acknowledged
 * the current one.
 */
export function InventoryObjectPage({ kind, id }: { kind: GovKind; id: string }) {
  const base = `/api/v1/governance/${KIND_PATHS[kind]}/${encodeURIComponent(id)}`;
  const object = useApi<GovObject>(base);
  const history = useApi<{ items: GovHistoryEntry[] }>(`${base}/history`);
  const title = object.state === 'ready' ? object.data.name : KIND_NAMES[kind].one;
  const reloadAll = (): void => {
    if (object.state === 'ready') object.reload();
    if (history.state === 'ready') history.reload();
  };
  return (
    <Page
      title={title}
      subtitle={
        <>
          <Link href={`/inventory?kind=${KIND_PATHS[kind]}`}>{KIND_NAMES[kind].many}</Link> · {KIND_NAMES[kind].one}
        </>
      }
    >
      {object.state === 'loading' ? <Loading what={KIND_NAMES[kind].one.toLowerCase()} /> : null}
      {object.state === 'error' ? <ErrorPanel error={object.error} /> : null}
      {object.state === 'ready' ? (
        <ObjectBody key={`body:${object.data.updated_at}`} object={object.data} onChanged={reloadAll} />
      ) : null}
      {object.state === 'ready' && kind === 'connector' ? (
        <Decisions key={`decisions:${object.data.updated_at}`} connector={object.data} onDecided={reloadAll} />
      ) : null}
      {object.state === 'ready' && kind === 'policy' ? (
        <PolicyExtras key={`policy:${object.data.updated_at}`} base={base} />
      ) : null}
      <Section title="History" note="every change: who, when, before → after">
        <Loaded res={history} what="the history">
          {(d) => <GovHistory entries={d.items} />}
        </Loaded>
      </Section>
    </Page>
  );
}

function ObjectBody({ object, onChanged }: { object: GovObject; onChanged: () => void }) {
  const canEdit = useCanEdit();
  const [editing, setEditing] = useState(false);
  const review = useAction();
  const base = `/api/v1/governance/${KIND_PATHS[object.kind]}/${encodeURIComponent(object.id)}`;
  const markReviewed = async (): Promise<void> => {
    if (await review.run(() => apiSend('POST', `${base}/review`, {}))) onChanged();
  };
  const overdue = object.status !== 'retired' && isPast(object.next_review_due);
  const fields = Object.keys(object).filter((k) => !SHOWN_ELSEWHERE.has(k));
  return (
    <>
      <div className="stats stats-compact">
        <div className="stat">
          <div className="stat-label">Status</div>
          <div className="stat-value">
            <StatusBadge status={object.status} />
          </div>
        </div>
        <div className="stat">
          <div className="stat-label">Last reviewed</div>
          <div className="stat-value stat-value-small">
            {object.last_reviewed_at ? fmtDateTime(object.last_reviewed_at) : 'never'}
          </div>
        </div>
        <div className="stat">
          <div className="stat-label">Next review due</div>
          <div className="stat-value stat-value-small">
            <DueDate due={object.next_review_due} overdue={overdue} />
          </div>
        </div>
        {object.kind === 'policy' ? (
          <div className="stat">
            <div className="stat-label">Current version</div>
            <div className="stat-value">{object.current_version ?? '—'}</div>
          </div>
        ) : null}
      </div>
      {canEdit ? (
        <div className="action-bar" role="group" aria-label="Actions">
          <button type="button" className="button" onClick={() => void markReviewed()} disabled={review.busy}>
            {review.busy ? 'Marking…' : 'Mark reviewed now'}
          </button>
          {editing ? null : (
            <button type="button" className="button" onClick={() => setEditing(true)}>
              Edit
            </button>
          )}
          <FormError error={review.error} />
        </div>
      ) : null}
      {editing ? (
        <Section title="Edit">
          <GovEditForm
            object={object}
            onCancel={() => setEditing(false)}
            onSaved={() => {
              setEditing(false);
              onChanged();
            }}
          />
        </Section>
      ) : (
        <Section title="Fields">
          <dl className="field-list">
            {fields.map((k) => (
              <div key={k} className="field-row">
                <dt>{fieldLabel(k)}</dt>
                <dd>
                  <FieldValue value={object[k]} />
                </dd>
              </div>
            ))}
            <div className="field-row">
              <dt>Added</dt>
              <dd>
                {fmtDateTime(object.created_at)} by {object.created_by}
              </dd>
            </div>
            <div className="field-row">
              <dt>Last changed</dt>
              <dd>
                {fmtDateTime(object.updated_at)} by {object.updated_by}
              </dd>
            </div>
          </dl>
          {typeof object.body === 'string' && object.body ? (
            <details className="method">
              <summary>SKILL.md body</summary>
              <pre className="code-block">{object.body}</pre>
            </details>
          ) : null}
        </Section>
      )}
    </>
  );
}

function Decisions({ connector, onDecided }: { connector: GovObject; onDecided: () => void }) {
  const canEdit = useCanEdit();
  const decisions = useApi<{ items: ConnectorDecision[] }>(
    `/api/v1/governance/connectors/${encodeURIComponent(connector.id)}/decisions`,
  );
  return (
    <Section title="Status decisions" note="requested → approved or denied → retired">
      <Loaded res={decisions} what="the decisions">
        {(d) => (
          <ConnectorDecisions connector={connector} decisions={d.items} canEdit={canEdit} onDecided={onDecided} />
        )}
      </Loaded>
    </Section>
  );
}

function PolicyExtras({ base }: { base: string }) {
  const versions = useApi<{ items: PolicyVersion[] }>(`${base}/versions`);
  const reminders = useApi<PolicyReminders>(`${base}/reminders`);
  if (versions.state !== 'ready')
    return (
      <Loaded res={versions} what="the versions">
        {() => null}
      </Loaded>
    );
  if (reminders.state !== 'ready')
    return (
      <Loaded res={reminders} what="the acknowledgements">
        {() => null}
      </Loaded>
    );
  return <PolicyVersions versions={versions.data.items} reminders={reminders.data} />;
}
