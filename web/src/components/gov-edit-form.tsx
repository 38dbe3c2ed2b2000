import { useState, type FormEvent } from 'react';
import { apiSend } from '../api/client';
import { CADENCES, KIND_PATHS, STATUSES, type GovKind, type GovObject } from '../api/governance.types';
import { useAction } from '../use-action';
import { fieldLabel, FormError } from './gov-parts';

/**
 * Edit an object's main fields (PATCH /api/v1/governance/{kind}/{id}): only the fields changed are sent; an emptied
 * optional field is cleared (null), a list is one item per line. The server validates the object whole; its 400
 * names the field.
 */
type FieldType = 'text' | 'email' | 'date' | 'textarea' | 'lines' | { options: string[]; optional?: boolean };
interface FieldSpec {
  key: string;
  type: FieldType;
  required?: boolean;
}

const COMMON: FieldSpec[] = [
  { key: 'name', type: 'text', required: true },
  { key: 'owner', type: 'email' },
  { key: 'review_cadence', type: { options: CADENCES } },
  { key: 'home', type: 'text' },
];
const OWN: Record<GovKind, FieldSpec[]> = {
  policy: [
    { key: 'status', type: { options: STATUSES.policy } },
    { key: 'description', type: 'textarea' },
  ],
  workspace: [
    { key: 'status', type: { options: STATUSES.workspace } },
    { key: 'sponsor', type: 'email' },
    { key: 'purpose', type: 'textarea' },
    { key: 'data_scope', type: 'textarea' },
    { key: 'classification', type: { options: ['public', 'internal', 'confidential', 'restricted'], optional: true } },
    { key: 'pilot_ends_on', type: 'date' },
    { key: 'folders', type: 'lines' },
  ],
  connector: [
    { key: 'publisher', type: 'text' },
    { key: 'transport', type: { options: ['stdio', 'http', 'sse', 'app'] } },
    { key: 'url', type: 'text' },
    { key: 'command', type: 'text' },
    { key: 'risk', type: { options: ['low', 'medium', 'high', 'critical'], optional: true } },
    { key: 'oauth_scopes', type: 'lines' },
    { key: 'data_classes', type: 'lines' },
  ],
  skill: [
    { key: 'status', type: { options: STATUSES.skill } },
    { key: 'description', type: 'textarea' },
    { key: 'intended_use', type: 'textarea' },
    { key: 'version', type: 'text' },
    { key: 'source', type: { options: ['personal', 'project', 'plugin', 'organisation'] } },
    { key: 'plugin', type: 'text' },
    { key: 'inputs', type: 'lines' },
    { key: 'outputs', type: 'lines' },
    { key: 'allowed_tools', type: 'lines' },
  ],
};

const toText = (v: unknown): string =>
  Array.isArray(v) ? v.map(String).join('\n') : v === null || v === undefined ? '' : String(v);

function fromText(spec: FieldSpec, text: string): unknown {
  if (spec.type === 'lines') {
    return text
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
  }
  const t = text.trim();
  return t === '' && !spec.required ? null : t;
}

/** What a new object starts as in the Add form (the server's defaults per kind). */
export function blankObject(kind: GovKind): GovObject {
  const own: Record<GovKind, Record<string, string>> = {
    policy: { status: 'draft', review_cadence: 'annual' },
    workspace: { status: 'proposed' },
    connector: { transport: 'http' },
    skill: { status: 'proposed', source: 'project' },
  };
  return { kind, id: '', name: '', review_cadence: 'quarterly', ...own[kind] } as unknown as GovObject;
}

/** Edits an object (PATCH of the fields changed) or, with `create`, adds one (POST of the fields filled). */
export function GovEditForm({
  object,
  create = false,
  onSaved,
  onCancel,
}: {
  object: GovObject;
  create?: boolean;
  onSaved: (o: GovObject) => void;
  onCancel: () => void;
}) {
  const fields = [...COMMON, ...OWN[object.kind]];
  const [draft, setDraft] = useState<Record<string, string>>(() =>
    Object.fromEntries(fields.map((f) => [f.key, toText(object[f.key])])),
  );
  const { busy, error, run } = useAction();

  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    if (create) {
      const body: Record<string, unknown> = {};
      for (const f of fields) {
        const v = fromText(f, draft[f.key] ?? '');
        if (v !== null && !(Array.isArray(v) && v.length === 0)) body[f.key] = v;
      }
      const added = await run(() => apiSend<GovObject>('POST', `/api/v1/governance/${KIND_PATHS[object.kind]}`, body));
      if (added) onSaved(added.value);
      return;
    }
    const patch: Record<string, unknown> = {};
    for (const f of fields) {
      const before = fromText(f, toText(object[f.key]));
      const after = fromText(f, draft[f.key] ?? '');
      if (JSON.stringify(before) !== JSON.stringify(after)) patch[f.key] = after;
    }
    if (Object.keys(patch).length === 0) {
      onCancel();
      return;
    }
    const saved = await run(() =>
      apiSend<GovObject>('PATCH', `/api/v1/governance/${KIND_PATHS[object.kind]}/${object.id}`, patch),
    );
    if (saved) onSaved(saved.value);
  };

  return (
    <form
      className="gov-form"
      onSubmit={(e) => void submit(e)}
      aria-label={create ? `Add ${object.kind}` : `Edit ${object.name}`}
    >
      <div className="form-grid">
        {fields.map((f) => {
          const id = `${create ? 'add' : 'edit'}-${f.key}`;
          const value = draft[f.key] ?? '';
          const set = (v: string) => setDraft((d) => ({ ...d, [f.key]: v }));
          return (
            <div key={f.key} className={f.type === 'textarea' || f.type === 'lines' ? 'form-field wide' : 'form-field'}>
              <label htmlFor={id}>
                {fieldLabel(f.key)}
                {f.type === 'lines' ? <span className="muted"> (one per line)</span> : null}
              </label>
              {typeof f.type === 'object' ? (
                <select id={id} value={value} onChange={(e) => set(e.target.value)}>
                  {f.type.optional ? <option value="">not set</option> : null}
                  {f.type.options.map((o) => (
                    <option key={o} value={o}>
                      {o}
                    </option>
                  ))}
                </select>
              ) : f.type === 'textarea' || f.type === 'lines' ? (
                <textarea id={id} rows={3} value={value} onChange={(e) => set(e.target.value)} />
              ) : (
                <input
                  id={id}
                  type={f.type === 'email' || f.type === 'date' ? f.type : 'text'}
                  value={value}
                  required={f.required}
                  onChange={(e) => set(e.target.value)}
                />
              )}
            </div>
          );
        })}
      </div>
      <FormError error={error} />
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={busy}>
          {busy ? 'Saving…' : create ? 'Add' : 'Save changes'}
        </button>
        <button type="button" className="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
