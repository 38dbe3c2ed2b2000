import { createRequire } from 'node:module';

/** Encodes an OTLP/JSON logs request as protobuf with the OTel JS generated module (same schema as the exporters). */
const require = createRequire(import.meta.url);
interface MessageType {
  fromObject(o: unknown): unknown;
  encode(m: unknown): { finish(): Uint8Array };
}
const root = require('@opentelemetry/otlp-transformer/build/src/generated/root.js') as {
  opentelemetry: { proto: { collector: { logs: { v1: { ExportLogsServiceRequest: MessageType } } } } };
};
const Request = root.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;

function hexToBase64(o: unknown): unknown {
  // protobufjs fromObject expects bytes as base64; OTLP/JSON carries trace/span ids as hex.
  if (Array.isArray(o)) return o.map(hexToBase64);
  if (o && typeof o === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(o)) {
      out[k] =
        (k === 'traceId' || k === 'spanId') && typeof v === 'string'
          ? Buffer.from(v, 'hex').toString('base64')
          : hexToBase64(v);
    }
    return out;
  }
  return o;
}

export function encodeLogsRequestJson(json: unknown): Buffer {
  return Buffer.from(Request.encode(Request.fromObject(hexToBase64(json))).finish());
}
