import { AppError } from '../errors/app-error.js';
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../store/database.js';
import { readRaci, saveRaci, type RaciChange } from '../store/raci.repo.js';
import type { Store } from '../store/store.js';
import { appendGovernanceEntries } from './governance-audit.js';
import { applyCells, DEFAULT_RACI, normaliseMatrix, validateRaci, type RaciMatrix, type RaciProblem } from './raci.js';

/**
 * The RACI as the API and the CLI see it: the stored matrix, or the seeded default before the first save; saves
 * refuse an invalid matrix with 400 `bad_request` whose message names the activity (and `details.problems` lists
 * every problem with its field).
 */
export interface RaciState {
  matrix: RaciMatrix;
  version: number;
  updatedAt: number | null;
  updatedBy: string | null;
  problems: RaciProblem[];
}

export async function getRaci(store: Store, orgId: string): Promise<RaciState> {
  const stored = await readRaci(store.db, orgId);
  const matrix = stored ? (stored.matrix as RaciMatrix) : DEFAULT_RACI;
  return {
    matrix,
    version: stored?.version ?? 0,
    updatedAt: stored?.updatedAt ?? null,
    updatedBy: stored?.updatedBy ?? null,
    problems: validateRaci(matrix),
  };
}

/** The save's audit entry, appended in its transaction (governance-audit.ts). */
function auditRaci(store: Store, orgId: string) {
  return (trx: Kysely<Database>, c: RaciChange): Promise<void> =>
    appendGovernanceEntries(trx as Transaction<Database>, store, [
      {
        action: 'governance.raci.update',
        actor: c.actor,
        at: c.at,
        subject: { kind: 'raci', id: orgId },
        before: c.before,
        after: c.after,
        details: { version: c.version },
      },
    ]);
}

function refuse(problems: RaciProblem[]): never {
  throw new AppError('bad_request', problems.map((p) => p.message).join('; '), {
    problems: problems.map((p) => ({ activity: p.activity, field: p.field, message: p.message })),
  });
}

/** Replaces the whole matrix (PUT). */
export async function putRaci(
  store: Store,
  orgId: string,
  input: RaciMatrix,
  actor: string,
  now = Date.now(),
): Promise<RaciState> {
  const matrix = normaliseMatrix(input);
  const problems = validateRaci(matrix);
  if (problems.length > 0) refuse(problems);
  const saved = await saveRaci(store.db, orgId, () => matrix, actor, now, auditRaci(store, orgId));
  return { matrix, version: saved.version, updatedAt: now, updatedBy: actor, problems: [] };
}

/** Sets some cells (PATCH), all or none; the result must still be valid. */
export async function patchRaci(
  store: Store,
  orgId: string,
  cells: readonly { activity: string; role: string; value: string }[],
  actor: string,
  now = Date.now(),
): Promise<RaciState> {
  let result: RaciMatrix = DEFAULT_RACI;
  const saved = await saveRaci(
    store.db,
    orgId,
    (current) => {
      const applied = applyCells((current as RaciMatrix | null) ?? DEFAULT_RACI, cells);
      const problems = applied.problems.length > 0 ? applied.problems : validateRaci(applied.matrix);
      if (problems.length > 0) refuse(problems);
      result = applied.matrix;
      return result;
    },
    actor,
    now,
    auditRaci(store, orgId),
  );
  return { matrix: result, version: saved.version, updatedAt: now, updatedBy: actor, problems: [] };
}
