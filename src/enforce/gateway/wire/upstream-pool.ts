import net from 'node:net';
import tls from 'node:tls';
import { ChunkedBody, MALFORMED, MORE } from './chunked-body.js';
import { INCOMPLETE, readResponseHead, type ResponseHead } from './http1-head.js';

/**
 * The gateway's upstream client: HTTP/1.1 on pooled keep-alive sockets (`node:net`, or `node:tls` for an https
 * upstream — the default, https://api.anthropic.com), one request at a time per socket. It replaced undici's Pool
 * (ARCHITECTURE.md, "The gateway's own HTTP/1.1 loop"): the response's body bytes are handed over exactly as the
 * upstream framed them, so the forwarding loop writes them to the client without decoding and re-encoding the
 * chunked framing, and the decoded content is handed over beside them for the usage tap. Connect and idle timeouts
 * are configuration (`gateway.connectTimeoutMs`; `gateway.idleTimeoutMs` bounds the wait for the response's head
 * and every silence in its body). A POST is never retried: a socket that fails fails the exchange.
 */
export interface UpstreamPoolSettings {
  /** Base URL; its path prefixes every request path. */
  upstream: string;
  connectTimeoutMs: number;
  idleTimeoutMs: number;
  /** Extra TLS options (a private CA for a self-hosted upstream, tests). */
  tls?: tls.ConnectionOptions;
}

/** How an exchange failed. */
export type UpstreamFailure = 'connect_timeout' | 'idle_timeout' | 'unreachable' | 'disconnected';

export interface ExchangeHandler {
  /** The final response's head (1xx interim responses are skipped). */
  onHead(head: ResponseHead): void;
  /** Body bytes as the upstream framed them (chunk sizes included), in order. */
  onBody(framed: Buffer): void;
  /** The same body's content (chunked framing removed), after the `onBody` that carried it. */
  onContent(content: Buffer): void;
  onEnd(): void;
  /** Never after `onEnd`; `headSeen` says whether `onHead` ran. */
  onError(failure: UpstreamFailure, headSeen: boolean): void;
}

/** Largest response head accepted from the upstream. */
const MAX_RESPONSE_HEAD = 64 * 1024;
/**
 * A pooled socket idle for longer is not reused (the upstream may have closed it by then; a fresh connect costs less
 * than a failed request). It is closed when it is next taken from the pool, by the upstream, or by the idle timeout.
 */
const KEEP_ALIVE_MS = 10_000;

export class UpstreamPool {
  private readonly idle: UpstreamSocket[] = [];
  private readonly open = new Set<UpstreamSocket>();
  private readonly secure: boolean;
  private readonly host: string;
  private readonly port: number;
  private readonly basePath: string;
  /** `host: …` header line, computed once. */
  private readonly hostLine: string;
  private closed = false;

  constructor(private readonly settings: UpstreamPoolSettings) {
    const base = new URL(settings.upstream);
    if (base.protocol !== 'http:' && base.protocol !== 'https:') {
      throw new Error(`gateway.upstream must be an http or https URL, not ${base.protocol}`);
    }
    this.secure = base.protocol === 'https:';
    this.host = base.hostname.replace(/^\[|\]$/g, '');
    this.port = Number(base.port) || (this.secure ? 443 : 80);
    this.basePath = base.pathname.replace(/\/+$/, '');
    this.hostLine = `host: ${base.host}\r\n`;
  }

  /**
   * The start of a request's head: request line (the base URL's path before `path`, which is what followed
   * `/gateway/anthropic`, query included) and Host. The caller adds the fields, Content-Length and the blank line.
   */
  requestStart(method: string, path: string): string {
    return `${method} ${this.basePath}${path} HTTP/1.1\r\n${this.hostLine}`;
  }

  /** Sends one request: `head` is the whole head (requestStart, fields, blank line), `body` what follows it. */
  send(method: string, head: Buffer, body: Buffer | null, handler: ExchangeHandler): UpstreamExchange {
    const exchange = new UpstreamExchange(method, handler);
    if (this.closed) {
      queueMicrotask(() => exchange.fail('unreachable'));
      return exchange;
    }
    const now = performance.now();
    let socket = this.idle.pop();
    while (socket !== undefined && !socket.usable(now)) {
      socket.socket.destroy();
      socket = this.idle.pop();
    }
    socket ??= this.connect();
    socket.start(exchange, head, body);
    return exchange;
  }

  /** Exchanges under way (connecting, sent, or reading a response), the one ending now included. */
  inFlight(): number {
    return this.open.size - this.idle.length;
  }

  close(): Promise<void> {
    this.closed = true;
    for (const s of this.open) s.socket.destroy();
    this.idle.length = 0;
    this.open.clear();
    return Promise.resolve();
  }

  /** Called by a socket whose exchange ended cleanly and that may carry another. */
  release(s: UpstreamSocket): void {
    if (this.closed) s.socket.destroy();
    else this.idle.push(s);
  }

  forget(s: UpstreamSocket): void {
    this.open.delete(s);
    const at = this.idle.indexOf(s);
    if (at >= 0) this.idle.splice(at, 1);
  }

  private connect(): UpstreamSocket {
    const socket = this.secure
      ? tls.connect({
          host: this.host,
          port: this.port,
          servername: net.isIP(this.host) ? undefined : this.host,
          ALPNProtocols: ['http/1.1'],
          ...this.settings.tls,
        })
      : net.connect({ host: this.host, port: this.port });
    socket.setNoDelay(true);
    // The idle timeout stays armed for the socket's life: in an exchange it is the upstream's silence, in the pool
    // the socket's end (one timer per socket, not one per request).
    socket.setTimeout(this.settings.idleTimeoutMs);
    const s = new UpstreamSocket(this, socket, this.secure, this.settings.connectTimeoutMs);
    this.open.add(s);
    return s;
  }
}

/** One request's life on the wire; the forwarding loop holds it to abort it or to apply backpressure. */
export class UpstreamExchange {
  /** The socket carrying it, once started. */
  carrier: UpstreamSocket | null = null;
  headSeen = false;
  finished = false;
  private pieces: Buffer[] = [];
  private readonly collect = (content: Buffer): void => {
    this.pieces.push(content);
  };

  constructor(
    readonly method: string,
    private readonly handler: ExchangeHandler,
  ) {}

  /** The client went away: the upstream request is abandoned and its socket closed (never reused mid-response). */
  abort(): void {
    if (this.finished) return;
    this.finished = true;
    this.carrier?.socket.destroy();
  }

  pause(): void {
    this.carrier?.socket.pause();
  }

  resume(): void {
    this.carrier?.socket.resume();
  }

  fail(failure: UpstreamFailure): void {
    if (this.finished) return;
    this.finished = true;
    this.handler.onError(failure, this.headSeen);
  }

  head(head: ResponseHead): void {
    this.headSeen = true;
    this.handler.onHead(head);
  }

  /** Body bytes of framing `length` or `close`: the framed bytes are the content. */
  plain(bytes: Buffer): void {
    this.handler.onBody(bytes);
    if (!this.finished) this.handler.onContent(bytes);
  }

  /** Chunked body bytes from `start`; returns the offset after the body's end, MORE, or MALFORMED. */
  chunked(decoder: ChunkedBody, data: Buffer, start: number): number {
    const pieces = this.pieces;
    pieces.length = 0;
    const end = decoder.feed(data, start, this.collect);
    if (end === MALFORMED) return end;
    // The client gets the framed bytes before the content is looked at.
    this.handler.onBody(data.subarray(start, end === MORE ? data.length : end));
    for (let p = 0; p < pieces.length && !this.finished; p++) this.handler.onContent(pieces[p] as Buffer);
    pieces.length = 0;
    return end;
  }

  end(): void {
    if (this.finished) return;
    this.finished = true;
    this.handler.onEnd();
  }
}

/** A pooled connection: reads the current exchange's response and follows its framing to the end. */
class UpstreamSocket {
  private exchange: UpstreamExchange | null = null;
  private connected = false;
  private connectTimer: NodeJS.Timeout | null = null;
  private buffered: Buffer | null = null;
  private head: ResponseHead | null = null;
  private left = 0;
  private decoder: ChunkedBody | null = null;
  private broken = false;
  /** When it last went back to the pool. */
  private idleSince = 0;

  constructor(
    private readonly pool: UpstreamPool,
    readonly socket: net.Socket,
    secure: boolean,
    connectTimeoutMs: number,
  ) {
    socket.once(secure ? 'secureConnect' : 'connect', () => {
      this.connected = true;
      if (this.connectTimer) clearTimeout(this.connectTimer);
      this.connectTimer = null;
    });
    this.connectTimer = setTimeout(() => {
      this.connectTimer = null;
      this.exchange?.fail('connect_timeout');
      this.exchange = null;
      socket.destroy();
    }, connectTimeoutMs);
    socket.on('data', (data: Buffer) => this.onData(data));
    socket.on('timeout', () => {
      // Idle in the pool: let it go. In an exchange: the upstream went silent (or never answered the connect).
      const exchange = this.exchange;
      this.exchange = null;
      socket.destroy();
      exchange?.fail(this.connected ? 'idle_timeout' : 'connect_timeout');
    });
    socket.on('end', () => this.onEnd());
    socket.on('error', () => undefined); // 'close' follows and decides
    socket.on('close', () => this.onClose());
  }

  /** Can carry another request; with `now`, also not idle for longer than KEEP_ALIVE_MS. */
  usable(now?: number): boolean {
    if (now !== undefined && now - this.idleSince > KEEP_ALIVE_MS) return false;
    return !this.broken && !this.socket.destroyed && this.socket.writable && this.socket.readable;
  }

  start(exchange: UpstreamExchange, head: Buffer, body: Buffer | null): void {
    this.exchange = exchange;
    exchange.carrier = this;
    this.head = null;
    this.buffered = null;
    this.decoder = null;
    this.socket.resume();
    if (body === null || body.length === 0) this.socket.write(head);
    else {
      this.socket.cork();
      this.socket.write(head);
      this.socket.write(body);
      this.socket.uncork();
    }
  }

  private onData(data: Buffer): void {
    const exchange = this.exchange;
    if (exchange === null || exchange.finished) {
      // Bytes nobody asked for (or the rest of an abandoned response): this socket cannot carry another request.
      this.broken = true;
      this.socket.destroy();
      return;
    }
    let start = 0;
    if (this.head === null) {
      const buf = this.buffered === null ? data : Buffer.concat([this.buffered, data]);
      for (;;) {
        const head = readResponseHead(buf.subarray(start), MAX_RESPONSE_HEAD, exchange.method);
        if (head === INCOMPLETE) {
          this.buffered = start === 0 ? buf : buf.subarray(start);
          return;
        }
        if (head === null || head.status === 101) return this.protocolError();
        start += head.headEnd;
        if (head.status >= 200) {
          this.buffered = null;
          this.head = head;
          this.left = head.contentLength;
          if (head.framing === 'chunked') this.decoder = new ChunkedBody();
          exchange.head(head);
          break;
        }
        // An interim 1xx response (RFC 9110 §15.2): not forwarded, the final one follows.
      }
      if (exchange.finished) return;
      if ((this.head as ResponseHead).framing === 'none') return this.complete(start, buf.length);
      data = buf;
    }
    this.body(exchange, data, start);
  }

  private body(exchange: UpstreamExchange, data: Buffer, start: number): void {
    const head = this.head as ResponseHead;
    if (head.framing === 'chunked') {
      const end = exchange.chunked(this.decoder as ChunkedBody, data, start);
      if (end === MALFORMED) return this.protocolError();
      if (end !== MORE) this.complete(end, data.length);
      return;
    }
    if (head.framing === 'close') {
      if (start < data.length) exchange.plain(start === 0 ? data : data.subarray(start));
      return;
    }
    const take = Math.min(this.left, data.length - start);
    if (take > 0) exchange.plain(start === 0 && take === data.length ? data : data.subarray(start, start + take));
    this.left -= take;
    if (this.left === 0) this.complete(start + take, data.length);
  }

  /** The response ended at `end` of a read of `length` bytes. */
  private complete(end: number, length: number): void {
    const exchange = this.exchange as UpstreamExchange;
    const reusable = end === length && !(this.head as ResponseHead).close && !exchange.finished;
    this.exchange = null;
    exchange.end();
    if (reusable && this.usable()) {
      this.idleSince = performance.now();
      this.pool.release(this);
    } else {
      this.broken = true;
      this.socket.destroy();
    }
  }

  private protocolError(): void {
    const exchange = this.exchange;
    this.exchange = null;
    this.broken = true;
    this.socket.destroy();
    exchange?.fail(exchange.headSeen ? 'disconnected' : 'unreachable');
  }

  private onEnd(): void {
    const exchange = this.exchange;
    this.broken = true;
    if (exchange !== null && this.head?.framing === 'close') {
      // A close-delimited body ends with the connection (RFC 9112 §6.3 rule 8).
      this.exchange = null;
      exchange.end();
    }
    this.socket.destroy();
  }

  private onClose(): void {
    if (this.connectTimer) clearTimeout(this.connectTimer);
    this.broken = true;
    this.pool.forget(this);
    const exchange = this.exchange;
    this.exchange = null;
    if (exchange === null || exchange.finished) return;
    exchange.fail(this.connected && exchange.headSeen ? 'disconnected' : 'unreachable');
  }
}
