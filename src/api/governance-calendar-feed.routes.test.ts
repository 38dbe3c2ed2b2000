import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseIcs } from '../../test/support/ics-check.js';
import { startTestSteward, type TestSteward } from '../../test/support/steward.js';

/**
 * Calendar subscription URLs through real HTTP: issued with a read token, fetched with none (as a calendar app
 * does), good for their own filter only, refused when altered, and revoked by rotating the secret.
 */
describe('calendar subscription URLs', () => {
  let t: TestSteward;
  beforeAll(async () => {
    t = await startTestSteward();
  });
  afterAll(async () => {
    await t?.stop();
  });

  const issue = async (body: Record<string, string>, role: 'admin' | 'analyst' = 'analyst') => {
    const res = await t.api('/api/v1/governance/calendar-feeds', {
      method: 'POST',
      role,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(200);
    return (await res.json()) as { url: string; path: string };
  };
  const summaries = async (path: string) => {
    const res = await t.api(path, { role: null });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/calendar/);
    const events = parseIcs(await res.text())[0]?.children as { props: Map<string, string> }[];
    return events.map((e) => e.props.get('SUMMARY')).sort();
  };

  it("serves a role's feed without a token at the URL issued for it, and nothing for an altered URL", async () => {
    const feed = await issue({ role: 'security' });
    expect(feed.url).toBe(`${t.url}${feed.path}`);
    expect(await summaries(feed.path)).toEqual([
      'Annual re-evaluation',
      'Monthly steady-state review',
      'Quarterly governance review',
      'Weekly pilot check-in',
    ]);
    // Another filter with the same signature, a flipped signature character, a missing extension: all 404.
    const [payload, signature] = feed.path.slice('/api/v1/governance/calendar/'.length, -4).split('.');
    const other = Buffer.from(JSON.stringify({ r: 'sponsor' })).toString('base64url');
    const flipped = signature!.startsWith('A') ? `B${signature!.slice(1)}` : `A${signature!.slice(1)}`;
    for (const bad of [`${other}.${signature}.ics`, `${payload}.${flipped}.ics`, `${payload}.${signature}`]) {
      const res = await t.api(`/api/v1/governance/calendar/${bad}`, { role: null });
      expect(res.status, bad).toBe(404);
    }
  });

  it('rotating the secret (admin only) revokes every URL issued; new ones work', async () => {
    const before = await issue({ person: 'sam@example.com' });
    const analystRotate = await t.api('/api/v1/governance/calendar-feeds/rotate', { method: 'POST', role: 'analyst' });
    expect(analystRotate.status).toBe(403);
    const rotate = await t.api('/api/v1/governance/calendar-feeds/rotate', { method: 'POST', role: 'admin' });
    expect(rotate.status).toBe(200);
    expect((await t.api(before.path, { role: null })).status).toBe(404);
    const after = await issue({ person: 'sam@example.com' }, 'admin');
    expect(after.path).not.toBe(before.path);
    expect((await t.api(after.path, { role: null })).status).toBe(200);
  });

  it('issuing a URL needs a token', async () => {
    const res = await t.api('/api/v1/governance/calendar-feeds', {
      method: 'POST',
      role: null,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ role: 'security' }),
    });
    expect(res.status).toBe(401);
  });
});
