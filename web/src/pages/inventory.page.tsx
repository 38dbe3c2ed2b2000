import { useState } from 'react';
import { GOV_KINDS, KIND_NAMES, KIND_PATHS, kindFromPath, type GovKind, type GovObject } from '../api/governance.types';
import { EmptyState } from '../components/empty-state';
import { DueDate, isPast, fmtDate, StatusBadge } from '../components/gov-parts';
import { Page, Section } from '../components/page';
import { Loaded } from '../components/status-gate';
import { GovEditForm, blankObject } from '../components/gov-edit-form';
import { useCanEdit } from '../role';
import { Link, navigate, useLocation } from '../router';
import { useApi } from '../use-api';

/**
 * The four governance inventories (issue 6): acceptable-use policies, workspaces, connectors and skills, one tab
 * each (`/inventory?kind=connectors`): owner, status, cadence, last reviewed, next review due (overdue marked), home.
 */
export function InventoryPage() {
  const { query } = useLocation();
  const kind: GovKind = kindFromPath(query.get('kind') ?? '') ?? 'policy';
  const list = useApi<{ items: GovObject[] }>(`/api/v1/governance/${KIND_PATHS[kind]}`);
  const canEdit = useCanEdit();
  const [adding, setAdding] = useState<GovKind | null>(null);
  return (
    <Page
      title="Inventory"
      subtitle="The four governance objects: each with an owner, a review cadence and a place where it lives."
      actions={
        canEdit && adding !== kind ? (
          <button type="button" className="button" onClick={() => setAdding(kind)}>
            Add {KIND_NAMES[kind].one.toLowerCase()}
          </button>
        ) : undefined
      }
    >
      <nav aria-label="Inventories" className="tabs">
        {GOV_KINDS.map((k) => (
          <Link
            key={k}
            href={`/inventory?kind=${KIND_PATHS[k]}`}
            aria-current={k === kind ? 'page' : undefined}
            className="tab"
          >
            {KIND_NAMES[k].many}
          </Link>
        ))}
      </nav>
      {canEdit && adding === kind ? (
        <Section title={`Add ${KIND_NAMES[kind].one.toLowerCase()}`}>
          <GovEditForm
            key={kind}
            object={blankObject(kind)}
            create
            onCancel={() => setAdding(null)}
            onSaved={(o) => navigate(`/inventory/${KIND_PATHS[kind]}/${encodeURIComponent(o.id)}`)}
          />
        </Section>
      ) : null}
      <Loaded res={list} what={KIND_NAMES[kind].many.toLowerCase()}>
        {(d) => (
          <Section title={KIND_NAMES[kind].many} note={`${d.items.length} in the inventory`}>
            <InventoryTable kind={kind} items={d.items} />
          </Section>
        )}
      </Loaded>
    </Page>
  );
}

function InventoryTable({ kind, items }: { kind: GovKind; items: GovObject[] }) {
  if (items.length === 0) {
    return (
      <EmptyState title={`No ${KIND_NAMES[kind].many.toLowerCase()} declared yet`}>
        <p>
          Add them through the API (<code>POST /api/v1/governance/{KIND_PATHS[kind]}</code>), the CLI (
          <code>steward gov add {kind} --file …</code>) or an import. Anything seen in telemetry but not declared is
          listed under <Link href="/findings">Findings</Link>.
        </p>
      </EmptyState>
    );
  }
  return (
    <div className="table-wrap">
      <table className="table">
        <caption className="visually-hidden">{KIND_NAMES[kind].many}</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Owner</th>
            <th scope="col">Status</th>
            <th scope="col">Cadence</th>
            <th scope="col">Last reviewed</th>
            <th scope="col">Next review due</th>
            <th scope="col">Home</th>
          </tr>
        </thead>
        <tbody>
          {items.map((o) => {
            const overdue = o.status !== 'retired' && isPast(o.next_review_due);
            return (
              <tr key={o.id} data-overdue={overdue ? 'true' : undefined}>
                <th scope="row">
                  <Link href={`/inventory/${KIND_PATHS[kind]}/${encodeURIComponent(o.id)}`}>{o.name}</Link>
                  {kind === 'policy' && o.current_version ? (
                    <span className="cell-sub"> version {o.current_version}</span>
                  ) : null}
                </th>
                <td>{o.owner ?? <span className="text-bad">no owner</span>}</td>
                <td>
                  <StatusBadge status={o.status} />
                </td>
                <td>{o.review_cadence}</td>
                <td className="nowrap">
                  {o.last_reviewed_at ? fmtDate(o.last_reviewed_at) : <span className="muted">never</span>}
                </td>
                <td className="nowrap">
                  <DueDate due={o.next_review_due} overdue={overdue} />
                </td>
                <td className="wrap">
                  {o.home ? (
                    /^https?:\/\//.test(o.home) ? (
                      <a href={o.home} target="_blank" rel="noreferrer noopener">
                        Open<span className="visually-hidden"> the home of {o.name}</span>
                      </a>
                    ) : (
                      <code>{o.home}</code>
                    )
                  ) : (
                    <span className="muted">not set</span>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
