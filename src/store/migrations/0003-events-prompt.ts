import type { Kysely } from 'kysely';

/**
 * Threads (GET /api/v1/threads/{promptId}) find one prompt's events by `prompt_id`, which no existing index
 * serves. A third secondary index on events costs ingest throughput; it was measured with `npm run bench:ingest`
 * before and after (ARCHITECTURE.md records the figures and the decision).
 */
export function eventsPromptMigration() {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.createIndex('events_prompt').on('events').columns(['prompt_id', 'time']).execute();
    },
  };
}
