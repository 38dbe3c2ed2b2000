import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isAppError } from '../errors/app-error.js';
import { loadConfig } from './load.js';

/**
 * The export section of the configuration under fuzzing: whatever `export` holds, loading either succeeds or fails
 * with `config_invalid` naming the key at fault — never another error, never a crash. Inputs are near-valid sinks
 * with fields replaced, dropped or added, and arbitrary JSON.
 */
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const valid: Record<string, Record<string, unknown>> = {
  ocsf_http: { type: 'ocsf_http', url: 'https://siem.example.com/ingest', token: 't' },
  ocsf_file: { type: 'ocsf_file', path: '/var/log/steward/ocsf.jsonl' },
  syslog: { type: 'syslog', host: 'siem.example.com', transport: 'tls', port: 6514 },
  splunk_hec: { type: 'splunk_hec', url: 'https://splunk.example.com:8088', token: 'abc', ackEnabled: true },
  webhook: { type: 'webhook', url: 'https://hooks.example.com/steward', secret: SECRET },
  pagerduty: { type: 'pagerduty', routingKey: 'abcdefghijabcdefghijabcdefghij12' },
  slack: { type: 'slack', url: 'https://hooks.slack.com/services/T0/B0/XYZ' },
};

function load(exp: unknown): { ok: true } | { ok: false; message: string } {
  try {
    loadConfig({ flags: { export: exp } });
    return { ok: true };
  } catch (err) {
    if (!isAppError(err) || err.code !== 'config_invalid') throw err;
    return { ok: false, message: err.message };
  }
}

const jsonValue = fc.jsonValue({ maxDepth: 3 });
const field = fc.constantFrom(
  'type',
  'name',
  'url',
  'host',
  'port',
  'token',
  'secret',
  'routingKey',
  'path',
  'transport',
  'format',
  'ca',
  'filters',
  'enabled',
  'ackEnabled',
  'allowPrivateAddresses',
  'timeoutMs',
  'bogus',
);

const mutatedSink = fc
  .tuple(
    fc.constantFrom(...Object.keys(valid)),
    fc.string({ maxLength: 70 }),
    fc.array(fc.tuple(field, fc.oneof(jsonValue, fc.constant(undefined))), { maxLength: 4 }),
  )
  .map(([type, name, edits]) => {
    const sink: Record<string, unknown> = { ...valid[type], name };
    for (const [k, v] of edits) {
      if (v === undefined) delete sink[k];
      else sink[k] = v;
    }
    return sink;
  });

describe('export configuration', () => {
  it('loads a valid sink of every type', () => {
    const sinks = Object.values(valid).map((s, i) => ({ ...s, name: `sink-${i}` }));
    expect(load({ sinks })).toEqual({ ok: true });
    const c = loadConfig({ flags: { export: { sinks } } });
    expect(c.export.sinks.map((s) => s.type)).toEqual(Object.keys(valid));
  });

  it('names the sink and the key at fault', () => {
    expect(load({ sinks: [{ ...valid.webhook, name: 'x', secret: 'nope' }] })).toEqual({
      ok: false,
      message: expect.stringMatching(/export\.sinks\.0\.secret: must be a Standard Webhooks secret/),
    });
    expect(load({ sinks: [{ ...valid.slack, name: 'x', channel: '#sec' }] })).toEqual({
      ok: false,
      message: expect.stringContaining('export.sinks.0: unknown key(s) channel'),
    });
    expect(load({ sinks: [{ ...valid.ocsf_http, name: 'siem', url: 'http://169.254.169.254/latest' }] })).toEqual({
      ok: false,
      message: expect.stringContaining('export.sinks.0.url: sink "siem": url is a link-local address'),
    });
    expect(load({ sinks: [{ ...valid.syslog, name: 'a', transport: 'udp', ca: '/ca.pem' }] })).toEqual({
      ok: false,
      message: expect.stringContaining('export.sinks.0.ca: ca is only used with transport tls'),
    });
    expect(
      load({
        sinks: [
          { ...valid.slack, name: 'a' },
          { ...valid.slack, name: 'a' },
        ],
      }),
    ).toEqual({
      ok: false,
      message: expect.stringContaining('export.sinks.1.name: duplicate sink name "a"'),
    });
    expect(load({ sinks: [{ ...valid.ocsf_http, name: 'a', url: 'ftp://x.example.com/' }] })).toEqual({
      ok: false,
      message: expect.stringContaining('must be http or https'),
    });
    expect(load({ backoffBaseMs: 5000, backoffMaxMs: 1000 })).toEqual({
      ok: false,
      message: expect.stringContaining('export.backoffMaxMs: must be at least backoffBaseMs'),
    });
  });

  it('answers any mutated sink with a config error or a valid configuration, never a crash', () => {
    fc.assert(
      fc.property(fc.array(mutatedSink, { maxLength: 3 }), (sinks) => {
        const r = load({ sinks });
        if (!r.ok) expect(r.message).toMatch(/^invalid configuration: export\./);
      }),
      { numRuns: 400 },
    );
  });

  it('answers arbitrary JSON in the export section the same way', () => {
    fc.assert(
      fc.property(
        fc.oneof(jsonValue, fc.record({ sinks: jsonValue }), fc.record({ sinks: fc.array(jsonValue) })),
        (exp) => {
          load(exp);
        },
      ),
      { numRuns: 400 },
    );
  });
});
