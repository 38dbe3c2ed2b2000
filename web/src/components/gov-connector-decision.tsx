import { useState, type FormEvent } from 'react';
import { apiSend } from '../api/client';
import { CONNECTOR_TRANSITIONS, type ConnectorDecision, type GovObject } from '../api/governance.types';
import { fmtDateTime } from '../format';
import { useAction } from '../use-action';
import { EmptyState } from './empty-state';
import { FormError, StatusBadge } from './gov-parts';

const VERB: Record<string, string> = { approved: 'Approve', denied: 'Deny', retired: 'Retire' };

/** A connector's status decisions so far, and (admins) the form for the next one: approve / deny / retire, why. */
export function ConnectorDecisions({
  connector,
  decisions,
  canEdit,
  onDecided,
}: {
  connector: GovObject;
  decisions: ConnectorDecision[];
  canEdit: boolean;
  onDecided: () => void;
}) {
  const next = CONNECTOR_TRANSITIONS[connector.status] ?? [];
  const [to, setTo] = useState(next[0] ?? '');
  const [reason, setReason] = useState('');
  const [reference, setReference] = useState('');
  const { busy, error, run } = useAction();

  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    const body = { status: to, reason: reason.trim(), ...(reference.trim() ? { reference: reference.trim() } : {}) };
    const done = await run(() => apiSend('POST', `/api/v1/governance/connectors/${connector.id}/decision`, body));
    if (done) {
      setReason('');
      setReference('');
      onDecided();
    }
  };

  return (
    <>
      {decisions.length === 0 ? (
        <EmptyState title="No decision yet">
          <p>A connector stays requested until an admin approves or denies it.</p>
        </EmptyState>
      ) : (
        <div className="table-wrap">
          <table className="table">
            <caption className="visually-hidden">Status decisions</caption>
            <thead>
              <tr>
                <th scope="col">Decision</th>
                <th scope="col">By</th>
                <th scope="col">When</th>
                <th scope="col">Reason</th>
                <th scope="col">Reference</th>
              </tr>
            </thead>
            <tbody>
              {decisions.map((d) => (
                <tr key={d.id}>
                  <th scope="row">
                    {d.from} → <StatusBadge status={d.to} />
                  </th>
                  <td>{d.decided_by}</td>
                  <td className="nowrap">{fmtDateTime(d.decided_at)}</td>
                  <td className="wrap">{d.reason}</td>
                  <td>{d.reference ?? <span className="muted">—</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {canEdit && next.length > 0 ? (
        <form className="gov-form" onSubmit={(e) => void submit(e)} aria-label="Decide the connector's status">
          <fieldset className="radio-row">
            <legend>Decision</legend>
            {next.map((s) => (
              <label key={s} className="toggle">
                <input type="radio" name="decision" value={s} checked={to === s} onChange={() => setTo(s)} />
                {VERB[s] ?? s}
              </label>
            ))}
          </fieldset>
          <div className="form-grid">
            <div className="form-field wide">
              <label htmlFor="decision-reason">Reason</label>
              <textarea
                id="decision-reason"
                rows={2}
                required
                value={reason}
                onChange={(e) => setReason(e.target.value)}
              />
            </div>
            <div className="form-field">
              <label htmlFor="decision-reference">
                Reference <span className="muted">(meeting or ticket, optional)</span>
              </label>
              <input
                id="decision-reference"
                type="text"
                value={reference}
                onChange={(e) => setReference(e.target.value)}
              />
            </div>
          </div>
          <FormError error={error} />
          <div className="form-actions">
            <button type="submit" className="button button-primary" disabled={busy || to === ''}>
              {busy ? 'Recording…' : `${VERB[to] ?? 'Decide'} connector`}
            </button>
          </div>
        </form>
      ) : null}
    </>
  );
}
