import { useEffect, useState } from 'react';
import { apiGet, apiSend, apiText, ApiError } from '../api/client';
import type { AuditCheckpoint, InclusionProof, ProofStatus } from '../api/audit.types';
import { fmtDateTime, fmtInt } from '../format';
import { useAction } from '../use-action';
import { FormError } from './gov-parts';
import { Badge, ErrorPanel, Loading, Section } from './page';

/**
 * Pieces of the audit page (issue 7): the proof-status badge, an entry's inclusion proof checked in the browser,
 * and the latest signed checkpoint with the published verifier keys.
 */
const PROOF: Record<ProofStatus, { tone: 'good' | 'neutral' | 'warn' | 'bad'; label: string; title: string }> = {
  verified: {
    tone: 'good',
    label: 'Verified',
    title: 'Its content hashes to its leaf, and the leaf is proven included under the latest signed checkpoint.',
  },
  pending: {
    tone: 'neutral',
    label: 'Pending',
    title: 'Appended after the latest checkpoint: the next checkpoint will cover it.',
  },
  pruned: {
    tone: 'warn',
    label: 'Pruned',
    title: 'Retention removed its content; its hash is still proven included.',
  },
  tampered: {
    tone: 'bad',
    label: 'Tampered',
    title: 'Its content does not hash to its leaf, or its proof does not reach the signed root.',
  },
};

/** The status in words and colour (never colour alone). */
export function ProofBadge({ status }: { status: ProofStatus }) {
  const p = PROOF[status];
  return (
    <span title={p.title} data-proof={status}>
      <Badge tone={p.tone}>{p.label}</Badge>
    </span>
  );
}

const failure = (err: unknown): ApiError =>
  err instanceof ApiError ? err : new ApiError(0, 'network', 'could not reach Steward');

const fromBase64 = (s: string): Uint8Array => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
export const toHex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

async function nodeHash(left: Uint8Array, right: Uint8Array): Promise<Uint8Array> {
  const buf = new Uint8Array(1 + left.length + right.length);
  buf[0] = 1;
  buf.set(left, 1);
  buf.set(right, 1 + left.length);
  return new Uint8Array(await crypto.subtle.digest('SHA-256', buf));
}

/** The root an inclusion proof leads to from its leaf hash (RFC 9162 §2.1.3.2), or null if the path is malformed. */
export async function rootFromProof(p: InclusionProof): Promise<Uint8Array | null> {
  if (p.index >= p.size) return null;
  let fn = BigInt(p.index);
  let sn = BigInt(p.size - 1);
  let r = fromBase64(p.leaf_hash);
  for (const h of p.proof.map(fromBase64)) {
    if (sn === 0n) return null;
    if ((fn & 1n) === 1n || fn === sn) {
      r = await nodeHash(h, r);
      while ((fn & 1n) === 0n && fn !== 0n) {
        fn >>= 1n;
        sn >>= 1n;
      }
    } else {
      r = await nodeHash(r, h);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  return sn === 0n ? r : null;
}

/**
 * "Show inclusion proof": fetches the entry's proof against the checkpoint the results were checked against and
 * recomputes the root here, in the browser, from the leaf hash and the path.
 */
export function InclusionProofView({
  index,
  leafHash,
  checkpoint,
}: {
  index: number;
  leafHash: string;
  checkpoint: { size: number; root: string } | null;
}) {
  const [proof, setProof] = useState<{ p: InclusionProof; ok: boolean } | null>(null);
  const { busy, error, run } = useAction();
  if (!checkpoint || index >= checkpoint.size) {
    return (
      <p className="muted">
        No signed checkpoint covers this entry yet: the next one will, and its inclusion proof can be shown then.
      </p>
    );
  }
  const show = async (): Promise<void> => {
    const got = await run(() =>
      apiGet<InclusionProof>(`/api/v1/audit/proof/inclusion?index=${index}&size=${checkpoint.size}`),
    );
    if (!got) return;
    const root = await rootFromProof(got.value);
    const leafMatches = toHex(fromBase64(got.value.leaf_hash)) === leafHash;
    setProof({ p: got.value, ok: leafMatches && root !== null && toHex(root) === checkpoint.root });
  };
  return (
    <div className="audit-proof">
      {proof === null ? (
        <button type="button" className="button" onClick={() => void show()} disabled={busy}>
          {busy ? 'Fetching…' : 'Show inclusion proof'}
        </button>
      ) : (
        <>
          <p role="status" className={proof.ok ? 'form-ok' : 'form-error'}>
            {proof.ok
              ? `Checked in this browser: the path leads from this entry's leaf hash to the root of the signed checkpoint of ${fmtInt(checkpoint.size)} entries.`
              : "Checked in this browser: the path does NOT lead to the signed checkpoint's root."}
          </p>
          <dl className="field-list">
            <dt>Tree size</dt>
            <dd>{fmtInt(proof.p.size)}</dd>
            <dt>Leaf hash</dt>
            <dd className="mono wrap">{proof.p.leaf_hash}</dd>
            <dt>
              Path ({proof.p.proof.length} {proof.p.proof.length === 1 ? 'hash' : 'hashes'})
            </dt>
            <dd>
              <ol className="plain-list mono wrap">
                {proof.p.proof.map((h, i) => (
                  <li key={i}>{h}</li>
                ))}
              </ol>
            </dd>
            <dt>Root</dt>
            <dd className="mono wrap">{proof.p.root}</dd>
          </dl>
        </>
      )}
      <FormError error={error} />
    </div>
  );
}

/**
 * The latest signed checkpoint (or that none is signed yet), the verifier keys, and for admins "sign now". `latest`
 * is what the search answered (undefined while it loads): the note is fetched only once one exists.
 */
export function CheckpointPanel({
  latest,
  canSign,
  onSigned,
}: {
  latest: { size: number } | null | undefined;
  canSign: boolean;
  onSigned: () => void;
}) {
  const [cp, setCp] = useState<AuditCheckpoint | ApiError | null>(null);
  const [keys, setKeys] = useState<string[] | ApiError | null>(null);
  const sign = useAction();
  const size = latest?.size ?? null;

  useEffect(() => {
    if (size === null) return;
    const controller = new AbortController();
    apiGet<AuditCheckpoint>('/api/v1/audit/checkpoint', { signal: controller.signal }).then(setCp, (err: unknown) => {
      if (!controller.signal.aborted) setCp(failure(err));
    });
    return () => controller.abort();
  }, [size]);

  useEffect(() => {
    const controller = new AbortController();
    apiText('/api/v1/audit/pubkey', controller.signal).then(
      (text) => setKeys(text.split('\n').filter(Boolean)),
      (err: unknown) => {
        if (!controller.signal.aborted) setKeys(failure(err));
      },
    );
    return () => controller.abort();
  }, []);

  const signNow = async (): Promise<void> => {
    if (await sign.run(() => apiSend<AuditCheckpoint>('POST', '/api/v1/audit/checkpoint'))) onSigned();
  };

  return (
    <Section title="Latest checkpoint" note="signed with the key below; anyone can verify it">
      {latest === undefined || (latest !== null && cp === null) ? <Loading what="the checkpoint" /> : null}
      {latest === null ? <p className="notice">No checkpoint has been signed yet.</p> : null}
      {latest && cp instanceof ApiError ? <ErrorPanel error={cp} /> : null}
      {latest && cp !== null && !(cp instanceof ApiError) ? (
        <>
          <dl className="field-list">
            <dt>Entries covered</dt>
            <dd data-testid="checkpoint-size">{fmtInt(cp.size)}</dd>
            <dt>Root hash</dt>
            <dd className="mono wrap">{cp.root}</dd>
            <dt>Signed</dt>
            <dd>{fmtDateTime(cp.created_at)}</dd>
            <dt>Log</dt>
            <dd className="mono">{cp.origin}</dd>
          </dl>
          <h3 className="audit-subhead">Signed note</h3>
          <pre className="code-block" tabIndex={0} aria-label="Signed checkpoint note">
            {cp.note}
          </pre>
        </>
      ) : null}
      <h3 className="audit-subhead">Verifier keys</h3>
      {keys === null ? <Loading what="the verifier keys" /> : null}
      {keys instanceof ApiError ? <ErrorPanel error={keys} /> : null}
      {Array.isArray(keys) ? (
        <>
          <ul className="plain-list mono wrap" aria-label="Verifier keys">
            {keys.map((k, i) => (
              <li key={k}>
                {k} {i === 0 ? <Badge tone="accent">active</Badge> : <Badge>retired</Badge>}
              </li>
            ))}
          </ul>
          <p className="help">
            Published at <code>/api/v1/audit/pubkey</code> (no token needed): a verifier checks checkpoints and bundles
            with these alone.
          </p>
        </>
      ) : null}
      {canSign ? (
        <div className="form-actions">
          <button type="button" className="button" onClick={() => void signNow()} disabled={sign.busy}>
            {sign.busy ? 'Signing…' : 'Sign a checkpoint now'}
          </button>
          <FormError error={sign.error} />
        </div>
      ) : null}
    </Section>
  );
}
