import { runDecodeJob } from '../src/ingest/decode/decode-job.js';
import { makeBodies } from './otlp-load.js';
import { decodeLogsRequest } from '../src/ingest/otlp/protobuf.js';
import { normaliseLogs } from '../src/ingest/normalise/normalise-logs.js';
for (const pb of [false, true, false, true]) {
  const bodies = makeBodies(60, 500, pb);
  let t0 = performance.now();
  for (const b of bodies) runDecodeJob({ signal: 'logs', protobuf: pb, gzip: false, body: b.bytes, maxDecompressedBytes: 1e9, capture: 'off', maxAttributeBytes: 65536 });
  const all = (performance.now() - t0) * 1000 / 30000;
  t0 = performance.now();
  const dec = bodies.map((b) => pb ? decodeLogsRequest(b.bytes) : JSON.parse(b.bytes.toString()));
  const d = (performance.now() - t0) * 1000 / 30000;
  t0 = performance.now();
  for (const x of dec) normaliseLogs(x, { capture: 'off', limits: { maxValueBytes: 65536 }, now: Date.now });
  const n = (performance.now() - t0) * 1000 / 30000;
  console.log(pb ? 'protobuf' : 'json', 'bytes/ev', Math.round(bodies[0]!.bytes.length / 500), 'total µs/ev', all.toFixed(1), 'decode', d.toFixed(1), 'normalise', n.toFixed(1));
}
