import type { PolicyReminders, PolicyVersion } from '../api/governance.types';
import { fmtDateTime, personLabel } from '../format';
import { Link } from '../router';
import { EmptyState } from './empty-state';
import { Section } from './page';

/** An acceptable-use policy's versions (newest, the current one, first) and who has not acknowledged the current. */
export function PolicyVersions({ versions, reminders }: { versions: PolicyVersion[]; reminders: PolicyReminders }) {
  return (
    <>
      <Section title="Versions" note={versions.length ? `current: version ${versions[0]?.version}` : undefined}>
        {versions.length === 0 ? (
          <EmptyState title="No version published yet">
            <p>
              Publish one with <code>POST /api/v1/governance/policies/{'{id}'}/versions</code>; people are then asked to
              acknowledge it.
            </p>
          </EmptyState>
        ) : (
          <div className="table-wrap">
            <table className="table">
              <caption className="visually-hidden">Policy versions</caption>
              <thead>
                <tr>
                  <th scope="col">Version</th>
                  <th scope="col">Effective</th>
                  <th scope="col">Owner</th>
                  <th scope="col">Approver</th>
                  <th scope="col">Published</th>
                  <th scope="col">Text</th>
                </tr>
              </thead>
              <tbody>
                {versions.map((v, i) => (
                  <tr key={v.version}>
                    <th scope="row">
                      {v.version}
                      {i === 0 ? <span className="cell-sub"> current</span> : null}
                    </th>
                    <td className="nowrap">{v.effective_date}</td>
                    <td>{v.owner ?? <span className="muted">not set</span>}</td>
                    <td>{v.approver ?? <span className="muted">not set</span>}</td>
                    <td className="nowrap">
                      {fmtDateTime(v.created_at)}
                      <div className="cell-sub">{v.created_by}</div>
                    </td>
                    <td>
                      <details>
                        <summary>Show the text</summary>
                        <pre className="code-block">{v.body_md}</pre>
                      </details>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Section>
      {reminders.version !== null ? (
        <Section
          title="Not yet acknowledged"
          note={`${reminders.people.length} ${reminders.people.length === 1 ? 'person' : 'people'}, version ${reminders.version}`}
        >
          {reminders.people.length === 0 ? (
            <EmptyState title="Everyone known has acknowledged the current version" />
          ) : (
            <ul className="plain-list columns">
              {reminders.people.map((p) => (
                <li key={p.person_id}>
                  <Link href={`/people/${encodeURIComponent(p.person_id)}`}>
                    {personLabel({ display_name: p.display_name, email: p.email, id: p.person_id })}
                  </Link>{' '}
                  <span className="muted">{p.display_name ? p.email : null}</span>
                </li>
              ))}
            </ul>
          )}
        </Section>
      ) : null}
    </>
  );
}
