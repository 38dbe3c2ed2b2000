import type { Store } from '../../src/store/store.js';

/** Known people in the directory (organisation `default`), as telemetry or SCIM would have created them. */
export async function addPeople(
  store: Store,
  people: readonly { id: string; name: string; email: string | null; mergedInto?: string }[],
): Promise<void> {
  await store.db
    .insertInto('people')
    .values(
      people.map((p) => ({
        id: p.id,
        org_id: 'default',
        display_name: p.name,
        email: p.email,
        is_demo: 0,
        first_seen: 1,
        last_seen: 1,
        merged_into: p.mergedInto ?? null,
      })),
    )
    .execute();
}
