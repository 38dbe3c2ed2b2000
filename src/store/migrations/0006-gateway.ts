import type { Kysely } from 'kysely';

/**
 * The Messages API gateway (issue 5).
 *
 * `gateway_keys`: keys people, agents and applications present to `/gateway/anthropic` instead of an Anthropic key.
 * Like API tokens only a SHA-256 of the key is stored (a 32-byte random key needs no slow KDF). A key binds to one
 * subject: a person by email (resolved through the alias table like every other identifier), an agent name or an
 * application name.
 *
 * `request_ledger`: one row per Messages API request id seen by any source (the gateway's own record, Claude Code's
 * OTel `api_request` event), so the same request reported twice is counted once (see ingest/request-ledger.ts).
 */
export function gatewayMigration() {
  const big = 'bigint';
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('gateway_keys')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('org_id', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('key_hash', 'text', (c) => c.notNull().unique())
        .addColumn('prefix', 'text', (c) => c.notNull())
        .addColumn('created_at', big, (c) => c.notNull())
        .addColumn('last_used_at', big)
        .addColumn('revoked_at', big)
        .execute();
      await db.schema
        .createTable('request_ledger')
        .addColumn('org_id', 'text', (c) => c.notNull())
        .addColumn('request_id', 'text', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('time', big, (c) => c.notNull())
        .addPrimaryKeyConstraint('request_ledger_pk', ['org_id', 'request_id'])
        .execute();
    },
  };
}
