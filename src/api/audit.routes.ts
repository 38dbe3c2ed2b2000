import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AuditService } from '../audit/audit-service.js';
import { consistencyProof, inclusionProof } from '../audit/vault-proofs.js';
import { searchAudit } from '../audit/vault-search.js';
import { AppError } from '../errors/app-error.js';
import { ADMIN, PUBLIC, READ } from '../identity/roles.js';
import { latestCheckpoint } from '../store/audit.repo.js';
import { iso } from './presenters.js';
import { timeParam } from './pagination.js';
import { defineRoute, type RegisteredSpec } from './route-spec.js';

/**
 * The audit vault over REST (issue 7, docs/audit.md): forensic search with per-result proof status, the latest
 * signed checkpoint, inclusion and consistency proofs (RFC 6962 §2.1.1–2.1.2; hashes in base64 as in RFC 6962's
 * own get-proof-by-hash and get-sth-consistency), and the published verifier keys. Hashes are base64 like the
 * checkpoint's root line (C2SP tlog-checkpoint).
 */
const index = z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const b64 = (b: Buffer): string => b.toString('base64');

export function registerAuditRoutes(app: FastifyInstance, registry: RegisteredSpec[], audit: AuditService): void {
  const { store } = audit;

  defineRoute(app, registry, {
    method: 'GET',
    url: '/api/v1/audit',
    access: READ,
    tag: 'audit',
    summary:
      'Forensic search of the audit vault by actor (id or name), action (exact, or a prefix ending in .*), subject and time window, newest first; each result carries its proof status against the latest signed checkpoint.',
    query: z.strictObject({
      actor: z.string().min(1).max(512).optional(),
      action: z.string().min(1).max(128).optional(),
      subject: z.string().min(1).max(1024).optional(),
      from: timeParam.optional(),
      to: timeParam.optional(),
      before: index.optional(),
      limit: z.coerce.number().int().min(1).max(500).default(50),
    }),
    handler: async ({ query }) => {
      const found = await searchAudit(store, audit.verifierKeys(), {
        limit: query.limit,
        ...(query.actor !== undefined ? { actor: query.actor } : {}),
        ...(query.action !== undefined ? { action: query.action } : {}),
        ...(query.subject !== undefined ? { subject: query.subject } : {}),
        ...(query.from !== undefined ? { from: query.from } : {}),
        ...(query.to !== undefined ? { to: query.to } : {}),
        ...(query.before !== undefined ? { before: query.before } : {}),
      });
      return found;
    },
  });

  defineRoute(app, registry, {
    method: 'GET',
    url: '/api/v1/audit/checkpoint',
    access: READ,
    tag: 'audit',
    summary: 'The latest signed checkpoint (C2SP signed note): origin, tree size, root hash.',
    handler: async () => {
      const cp = await latestCheckpoint(store.db);
      if (!cp) throw new AppError('not_found', 'no checkpoint has been signed yet (POST /api/v1/audit/checkpoint)');
      return { origin: audit.origin, size: cp.size, root: b64(cp.root), note: cp.note, created_at: iso(cp.created_at) };
    },
  });

  defineRoute(app, registry, {
    method: 'POST',
    url: '/api/v1/audit/checkpoint',
    access: ADMIN,
    tag: 'audit',
    summary: 'Sign a checkpoint of the log now (also done every audit.checkpointIntervalMs while the log grows).',
    handler: async (_input, reply) => {
      const cp = await audit.checkpoint(true);
      if (!cp) throw new AppError('internal', 'checkpoint was not signed');
      return reply.status(201).send({
        origin: audit.origin,
        size: cp.size,
        root: b64(cp.root),
        note: cp.note,
        created_at: iso(cp.createdAt),
      });
    },
  });

  defineRoute(app, registry, {
    method: 'GET',
    url: '/api/v1/audit/proof/inclusion',
    access: READ,
    tag: 'audit',
    summary: 'Inclusion proof of entry `index` in the tree of `size` leaves (default: the latest checkpoint’s size).',
    query: z.strictObject({ index, size: index.optional() }),
    handler: async ({ query }) => {
      const size = query.size ?? (await latestCheckpoint(store.db))?.size;
      if (size === undefined) throw new AppError('not_found', 'no checkpoint yet: give size');
      const p = await inclusionProof(store, query.index, size);
      return {
        index: p.index,
        size: p.size,
        leaf_hash: b64(p.leafHash),
        proof: p.proof.map(b64),
        root: b64(p.root),
      };
    },
  });

  defineRoute(app, registry, {
    method: 'GET',
    url: '/api/v1/audit/proof/consistency',
    access: READ,
    tag: 'audit',
    summary: 'Consistency proof between the trees of `from` and `to` leaves (RFC 6962 §2.1.2).',
    query: z.strictObject({ from: index, to: index }),
    handler: async ({ query }) => {
      const p = await consistencyProof(store, query.from, query.to);
      return { from: p.from, to: p.to, proof: p.proof.map(b64), from_root: b64(p.fromRoot), to_root: b64(p.toRoot) };
    },
  });

  defineRoute(app, registry, {
    method: 'GET',
    url: '/api/v1/audit/pubkey',
    access: PUBLIC,
    tag: 'audit',
    summary:
      'The published checkpoint verifier keys (C2SP signed-note verifier key strings, active first), one per line, text/plain. Public: anyone may verify.',
    handler: async (_input, reply) =>
      reply.type('text/plain; charset=utf-8').send(audit.verifierKeys().join('\n') + '\n'),
  });
}
