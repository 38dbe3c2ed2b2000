import { request } from 'node:http';
import Anthropic from '@anthropic-ai/sdk';
import type { ConfigInput } from '../../../src/config/schema.js';
import { createGatewayKey, type GatewayKeyKind } from '../../../src/identity/gateway-keys.js';
import type { Dialect } from '../../../src/store/store.js';
import { startTestSteward, waitFor, type TestSteward } from '../steward.js';
import { startMockUpstream, type MockUpstream } from './mock-anthropic-upstream.js';

/** A real Steward whose gateway forwards to a local mock upstream, plus helpers to mint keys and read events. */
export const UPSTREAM_KEY = 'sk-ant-upstream-secret-000';

export interface GatewayHarness {
  t: TestSteward;
  upstream: MockUpstream;
  base: string;
  key(kind: GatewayKeyKind, subject: string): Promise<string>;
  sdk(key: string): Anthropic;
  /**
   * POSTs a streaming request, reads the first chunk, then drops the connection (node:http: fetch's abort leaves
   * an extra idle connection that holds up the server's shutdown).
   */
  abortAfterFirstChunk(path: string, headers: Record<string, string>, body: string): Promise<void>;
  /** Events of `kind` from the store once at least `count` are committed. */
  events(kind: string, count?: number): Promise<Record<string, any>[]>;
  stop(): Promise<void>;
}

export async function startGatewayHarness(
  opts: { dialect?: Dialect; config?: Partial<ConfigInput> } = {},
): Promise<GatewayHarness> {
  const upstream = await startMockUpstream();
  const { gateway, ...rest } = opts.config ?? {};
  const t = await startTestSteward({
    ...(opts.dialect ? { dialect: opts.dialect } : {}),
    config: { ...rest, gateway: { upstream: upstream.url, upstreamApiKey: UPSTREAM_KEY, ...gateway } },
  });
  const base = `${t.url}/gateway/anthropic`;
  return {
    t,
    upstream,
    base,
    async key(kind, subject) {
      return (await createGatewayKey(t.steward.store, kind, subject)).key;
    },
    sdk: (key) => new Anthropic({ apiKey: key, baseURL: base, maxRetries: 0 }),
    abortAfterFirstChunk: (path, headers, body) =>
      new Promise<void>((resolve, reject) => {
        const req = request(`${base}${path}`, { method: 'POST', headers, agent: false }, (res) => {
          res.once('data', () => {
            req.destroy();
            resolve();
          });
        });
        req.on('error', (err) => (req.destroyed ? undefined : reject(err)));
        req.end(body);
      }),
    async events(kind, count = 1) {
      return waitFor(async () => {
        await t.steward.app.enforcement.gatewayEvents.settled();
        await t.steward.app.enforcement.recorder.settled();
        const rows = await t.steward.store.db
          .selectFrom('events')
          .selectAll()
          .where('kind', '=', kind)
          .orderBy('id', 'asc')
          .execute();
        return rows.length >= count ? (rows as Record<string, any>[]) : undefined;
      }, 10_000);
    },
    async stop() {
      await Promise.allSettled([t.stop(), upstream.close()]);
    },
  };
}
