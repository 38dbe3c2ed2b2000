import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTestStore, type TestStore } from '../../test/support/engines.js';
import { fixtureJson } from '../../test/support/fixtures.js';
import { PersonResolver } from '../identity/person-resolver.js';
import { commitBatch } from '../ingest/commit-batch.js';
import { normaliseLogs } from '../ingest/normalise/normalise-logs.js';
import { prepareBatch } from '../ingest/prepare-batch.js';
import { SubjectDirectory } from './subject-directory.js';

const DEVICE = 'a'.repeat(64);

describe('the subject directory', () => {
  let t: TestStore;
  beforeEach(async () => {
    t = await openTestStore('sqlite');
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it('finds the person a commit created from an unknown install once the short cache expires, not a minute later', async () => {
    const subjects = new SubjectDirectory(t.store);
    const now = 1_800_000_000_000;
    const before = await subjects.forSession(null, DEVICE, now);
    // Not stored yet: hints that will name the person, no person.
    expect(before.subject.personId).toBeUndefined();
    expect(before.identity?.aliases).toEqual([{ kind: 'user.id', value: DEVICE }]);
    // The event recorded with those hints creates the person and its alias.
    const [event] = normaliseLogs(fixtureJson('otlp/http-json/logs.json'), {
      capture: 'off',
      limits: { maxValueBytes: 65536 },
      now: () => now,
    }).events;
    const batch = { events: [{ ...event!, identity: before.identity! }], metrics: [], rejected: 0, errors: [] };
    await commitBatch(t.store, new PersonResolver(), prepareBatch(batch), now);
    expect((await subjects.forSession(null, DEVICE, now + 1_000)).subject.personId).toBeUndefined(); // still cached
    const after = await subjects.forSession(null, DEVICE, now + 2_001);
    expect(after.subject.personId).toEqual(expect.any(String));
  });
});
