import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestStore, type TestStore } from '../../test/support/engines.js';
import { isAppError } from '../errors/app-error.js';
import { createObject, parseGov } from './governance-objects.js';
import { createSchemas, govKinds, patchSchemas } from './governance-schemas.js';
import { importSkillMd } from './governance-skills.js';

/**
 * DESIGN §10: every parser survives hostile input with a 4xx, never a crash. The object bodies (API and CLI
 * `--file`) and SKILL.md imports answer arbitrary input with a stored object or a 400 naming the field.
 */
const expectBadRequest = (err: unknown): void => {
  expect(isAppError(err) && err.status === 400, String(err)).toBe(true);
};

const frontmatterLine = fc.oneof(
  fc.constantFrom('name: fuzz', 'description: d', 'owner: a@example.com', 'owner: nobody', 'allowed-tools: Read'),
  fc.string({ maxLength: 40 }),
);

describe('hostile governance input', () => {
  let t: TestStore;
  beforeAll(async () => {
    t = await openTestStore('sqlite');
  });
  afterAll(async () => {
    await t.cleanup();
  });

  it('object bodies of every kind parse or fail with a 400 naming the field', () => {
    const body = fc.oneof(
      fc.anything(),
      fc.dictionary(
        fc.constantFrom('name', 'owner', 'transport', 'url', 'tools', 'rules', 'folders', 'source', 'status', 'x'),
        fc.anything(),
      ),
    );
    fc.assert(
      fc.property(fc.constantFrom(...govKinds), body, fc.boolean(), (kind, value, patch) => {
        try {
          parseGov(patch ? patchSchemas[kind] : createSchemas[kind], value);
        } catch (err) {
          expectBadRequest(err);
          expect((err as Error).message).toMatch(/^[\w.]+: /);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('a SKILL.md import stores a skill or answers 400, whatever the text', async () => {
    const text = fc.oneof(
      fc.string({ maxLength: 300 }),
      fc.array(frontmatterLine, { maxLength: 8 }).map((lines) => ['---', ...lines, '---', 'body'].join('\n')),
    );
    await fc.assert(
      fc.asyncProperty(text, async (md) => {
        try {
          await importSkillMd(t.store, md, {}, 'fuzz');
        } catch (err) {
          expectBadRequest(err);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('a connector created from a well-typed but hostile body is stored as given or refused with a 400', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          name: fc.string({ minLength: 1, maxLength: 30 }),
          transport: fc.constantFrom('stdio', 'http', 'sse', 'app'),
          url: fc.option(fc.webUrl(), { nil: undefined }),
          command: fc.option(fc.string({ maxLength: 20 }), { nil: undefined }),
        }),
        async (body) => {
          try {
            await createObject(t.store, 'connector', parseGov(createSchemas.connector, body), 'fuzz');
          } catch (err) {
            expect(isAppError(err) && (err.status === 400 || err.status === 409), String(err)).toBe(true);
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
