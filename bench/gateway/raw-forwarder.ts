/**
 * A measuring instrument, not a proxy to deploy: the floor of a purpose-built HTTP/1.1 forwarding loop on raw
 * sockets, for the benchmark's opt-in `raw` arm (`BENCH_GATEWAY_ARMS=bare,raw,steward`). It answers one question —
 * how much of the bare proxy's CPU is Node's two HTTP stacks (node:http server + `http.request`) rather than the
 * forwarding itself — to size a forwarder for Steward's gateway (docs/gateway-benchmark.md, "Where Steward's CPU
 * goes"). `node --import tsx bench/gateway/raw-forwarder.ts <upstream base URL>`; prints `{"port":N}` when listening.
 *
 * What it handles is exactly what the benchmark sends and the mock answers (RFC 9112): requests framed by
 * Content-Length, one at a time per connection (no pipelining); responses framed by Content-Length, chunked (no
 * trailers) or the upstream's close; keep-alive on both sides, upstream sockets pooled. The request head is forwarded with its Host
 * replaced; response bytes go to the client as they arrive, the chunked framing only followed to find the end.
 * Anything else (Transfer-Encoding on a request, a head over 64 KB, an upstream error) closes the connection.
 */
import net from 'node:net';

const upstream = new URL(process.argv[2] ?? 'http://127.0.0.1:1');
const HEAD_END = Buffer.from('\r\n\r\n');
const CRLF = Buffer.from('\r\n');
const MAX_HEAD = 64 * 1024;
const idle: net.Socket[] = [];

/** The value of a header field in a head (the first line excluded); compiled once per name, not per message. */
const fieldPatterns = new Map<string, RegExp>();
function headerValue(head: string, name: string): string | null {
  let re = fieldPatterns.get(name);
  if (!re) fieldPatterns.set(name, (re = new RegExp(`\\r\\n${name}:[ \\t]*([^\\r]*)`, 'i')));
  const m = re.exec(head);
  return m ? (m[1] as string).trim() : null;
}

/** Follows a chunked body (RFC 9112 §7.1) across reads; true once the last chunk and its CRLF have passed. */
class ChunkedEnd {
  private dataLeft = 0; // bytes of the current chunk's data and its CRLF still to pass
  private carry: Buffer | null = null; // an unfinished chunk-size line
  private last = false; // the zero-size chunk has been read: only the trailer section's CRLF is left

  feed(data: Buffer): boolean {
    let b = data;
    if (this.carry) {
      b = Buffer.concat([this.carry, data]);
      this.carry = null;
    }
    let i = 0;
    for (;;) {
      if (this.dataLeft > 0) {
        const n = Math.min(this.dataLeft, b.length - i);
        this.dataLeft -= n;
        i += n;
        if (this.dataLeft > 0) return false;
        if (this.last) return true;
      }
      const nl = b.indexOf(CRLF, i);
      if (nl < 0) {
        if (i < b.length) this.carry = b.subarray(i);
        return false;
      }
      const size = parseInt(b.toString('latin1', i, nl), 16);
      i = nl + 2;
      this.last = size === 0;
      this.dataLeft = this.last ? 2 : size + 2; // the chunk's data and CRLF, or the empty trailer section's CRLF
    }
  }
}

function connectUpstream(): net.Socket {
  const s = net.connect(Number(upstream.port), upstream.hostname);
  s.setNoDelay(true);
  // A pooled socket the upstream closes leaves the pool.
  s.on('close', () => {
    const i = idle.indexOf(s);
    if (i >= 0) idle.splice(i, 1);
  });
  return s;
}

function forwardOne(client: net.Socket, head: string, body: Buffer, done: () => void): void {
  const s = idle.pop() ?? connectUpstream();
  s.cork();
  s.write(head.replace(/\r\nhost:[^\r]*/i, `\r\nhost: ${upstream.host}`) + '\r\n\r\n', 'latin1');
  s.write(body);
  s.uncork();
  let responseHead: Buffer | null = Buffer.alloc(0);
  let contentLeft = 0;
  let chunked: ChunkedEnd | null = null;
  let closeDelimited = false;
  let reusable = true;
  const fail = (): void => {
    s.destroy();
    client.destroy();
  };
  const onEnd = (): void => {
    if (closeDelimited) client.end();
    else client.destroy();
  };
  const finish = (): void => {
    s.removeListener('data', onData);
    s.removeListener('error', fail);
    s.removeListener('end', onEnd);
    if (reusable) idle.push(s);
    else s.destroy();
    done();
  };
  const onData = (data: Buffer): void => {
    client.write(data);
    if (responseHead !== null) {
      responseHead = responseHead.length ? Buffer.concat([responseHead, data]) : data;
      const end = responseHead.indexOf(HEAD_END);
      if (end < 0) return;
      const text = responseHead.toString('latin1', 0, end);
      const rest = responseHead.subarray(end + 4);
      responseHead = null;
      reusable = !/close/i.test(headerValue(text, 'connection') ?? '');
      const length = headerValue(text, 'content-length');
      if (length !== null) {
        contentLeft = Number(length) - rest.length;
        if (contentLeft <= 0) finish();
        return;
      }
      if (/chunked\s*$/i.test(headerValue(text, 'transfer-encoding') ?? '')) {
        chunked = new ChunkedEnd();
        if (chunked.feed(rest)) finish();
        return;
      }
      // Neither: the body ends when the upstream closes (RFC 9112 §6.3 item 8), and so does this connection.
      closeDelimited = true;
      return;
    }
    if (chunked) {
      if (chunked.feed(data)) finish();
    } else if (!closeDelimited && (contentLeft -= data.length) <= 0) finish();
  };
  s.on('data', onData);
  s.on('error', fail);
  s.on('end', onEnd);
}

const server = net.createServer((client) => {
  client.setNoDelay(true);
  let pending: Buffer = Buffer.alloc(0);
  let busy = false;
  const next = (): void => {
    if (busy) return;
    const end = pending.indexOf(HEAD_END);
    if (end < 0) {
      if (pending.length > MAX_HEAD) client.destroy();
      return;
    }
    const head = pending.toString('latin1', 0, end);
    if (headerValue(head, 'transfer-encoding') !== null) return void client.destroy();
    const total = end + 4 + Number(headerValue(head, 'content-length') ?? 0);
    if (pending.length < total) return;
    const body = pending.subarray(end + 4, total);
    pending = pending.subarray(total);
    busy = true;
    forwardOne(client, head, body, () => {
      busy = false;
      next();
    });
  };
  client.on('data', (d: Buffer) => {
    pending = pending.length ? Buffer.concat([pending, d]) : d;
    next();
  });
  client.on('error', () => client.destroy());
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(JSON.stringify({ port: (server.address() as net.AddressInfo).port }) + '\n');
});
process.on('SIGTERM', () => process.exit(0));
