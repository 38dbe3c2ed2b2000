import { randomBytes } from 'node:crypto';
import { it } from 'vitest';
import { startTestSteward } from '../support/steward.js';

function rec(attrs: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return {
    resourceLogs: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'claude-code' } }] }, scopeLogs: [{ logRecords: [{
      timeUnixNano: String(Date.now()) + '000000',
      attributes: Object.entries(attrs).map(([key, v]) => ({ key, value: v })),
      ...extra,
    }] }] }],
  };
}

for (const dialect of ['postgres'] as const) {
  it('probe ' + dialect, async () => {
    const t = await startTestSteward({ dialect });
    const post = async (label: string, body: unknown) => {
      const r = await t.api('/v1/logs', { role: 'ingest', method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      console.log(dialect, label, r.status, await r.text());
    };
    await post('big sid', rec({ 'session.id': { stringValue: randomBytes(8000).toString('hex') } }));
    await post('big email', rec({ 'session.id': { stringValue: 's1' }, 'user.email': { stringValue: randomBytes(8000).toString('hex') + '@x.com' } }));
    await post('big user id', rec({ 'session.id': { stringValue: 's2' }, 'user.account_uuid': { stringValue: randomBytes(8000).toString('hex') } }));
    await t.stop();
  });
}
