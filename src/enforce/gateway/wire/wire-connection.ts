import { STATUS_CODES } from 'node:http';
import type net from 'node:net';
import type { AnthropicGateway } from '../anthropic-gateway.js';
import { TurnCork, type ClientReply } from '../client-reply.js';
import { composeHead, responseFieldKept } from '../forward-headers.js';
import { UNAVAILABLE } from '../gateway.routes.js';
import { FOREIGN, INCOMPLETE, readRequestHead, type RequestHead, type ResponseHead } from './http1-head.js';

/**
 * One client connection served by the gateway's own HTTP/1.1 loop (RFC 9112): read a request head, its
 * Content-Length body, hand both to the gateway, write the answer, and go on with the next request on the same
 * connection (keep-alive; pipelined requests wait their turn, RFC 9112 §9.3.2). The first request it does not
 * serve — another route, unusual framing, a malformed or oversized head, a body over the limit — hands the connection
 * with every byte not yet used to node:http, which serves it from then on exactly as if it had had it from the start.
 */
export interface WireContext {
  gateway: AnthropicGateway;
  maxBodyBytes: number;
  maxHeadBytes: () => number;
  /** Idle keep-alive connections close after this long (node:http's `keepAliveTimeout`). */
  keepAliveTimeoutMs: () => number;
  /** A head or body that stops arriving for this long closes the connection (node:http's `headersTimeout`). */
  requestTimeoutMs: () => number;
  /** The server is closing: connections end after their current exchange. */
  closing: () => boolean;
  handOver: (socket: net.Socket, pending: Buffer | null) => void;
  forget: (connection: WireConnection) => void;
  onError: (err: unknown) => void;
}

/** Bytes of pipelined requests buffered while one is in flight before reading stops (backpressure on the client). */
const MAX_BACKLOG = 256 * 1024;

export class WireConnection {
  /** Bytes received and not yet used: a head in progress, or the next requests while one is in flight. */
  private pending: Buffer | null = null;
  /** A head read whose body is still arriving, with the body's parts. */
  private head: RequestHead | null = null;
  private parts: Buffer[] = [];
  private partsLength = 0;
  private reply: WireReply | null = null;
  /** The socket's inactivity timeout now: set only when it changes (each set allocates a timer). */
  private timeoutMs = 0;

  private readonly onData = (chunk: Buffer): void => {
    if (this.head !== null && this.reply === null) return this.bodyPart(chunk);
    this.pending = this.pending === null ? chunk : Buffer.concat([this.pending, chunk]);
    if (this.reply !== null) {
      if (this.pending.length > MAX_BACKLOG) this.socket.pause();
      return;
    }
    this.next();
  };
  private readonly onEnd = (): void => {
    // As node:http (`httpAllowHalfOpen` false): a client that ends its side has abandoned the exchange in flight,
    // which is aborted upstream, and the connection closes.
    if (this.reply === null) this.socket.end();
    else this.socket.destroy();
  };
  private readonly onClose = (): void => {
    this.ctx.forget(this);
    const reply = this.reply;
    this.reply = null;
    reply?.clientGone();
  };
  private readonly onTimeout = (): void => {
    // Idle between requests, or a head or body that stopped arriving: either way the connection is let go. An
    // exchange in flight has no client timeout (the upstream's idle timeout bounds it).
    if (this.reply === null) this.socket.destroy();
  };
  private readonly ignoreError = (): void => undefined; // 'close' follows

  constructor(
    readonly socket: net.Socket,
    private readonly ctx: WireContext,
  ) {
    socket.on('data', this.onData);
    socket.on('end', this.onEnd);
    socket.on('close', this.onClose);
    socket.on('error', this.ignoreError);
    socket.on('timeout', this.onTimeout);
    this.setTimeout(ctx.requestTimeoutMs());
  }

  /** Shutdown: an idle connection closes now, a busy one after its exchange. */
  closeIfIdle(): void {
    if (this.reply === null && this.head === null && this.pending === null) this.socket.end();
  }

  /** Reads the next request from `pending`, if it is all there. */
  private next(): void {
    const pending = this.pending;
    if (pending === null) return;
    const head = readRequestHead(pending, this.ctx.maxHeadBytes());
    if (head === INCOMPLETE) return;
    // Over the limit: node:http's gateway route answers 413 in the Anthropic format.
    if (head === FOREIGN || head.contentLength > this.ctx.maxBodyBytes) return this.handOverNow();
    this.pending = null;
    this.head = head;
    this.parts = [];
    this.partsLength = 0;
    this.bodyPart(pending.subarray(head.headEnd));
  }

  private bodyPart(chunk: Buffer): void {
    const head = this.head as RequestHead;
    if (chunk.length > 0) {
      this.parts.push(chunk);
      this.partsLength += chunk.length;
    }
    if (this.partsLength < head.contentLength) return;
    const all = this.parts.length === 1 ? (this.parts[0] as Buffer) : Buffer.concat(this.parts, this.partsLength);
    this.parts = [];
    this.head = null;
    // Bytes beyond the body are the next request (pipelined).
    if (all.length > head.contentLength) this.pending = all.subarray(head.contentLength);
    const body = head.contentLength === 0 ? undefined : all.subarray(0, head.contentLength);
    this.serve(head, body);
  }

  private serve(head: RequestHead, body: Buffer | undefined): void {
    const reply = new WireReply(this, head.close || this.ctx.closing());
    this.reply = reply;
    const gateway = this.ctx.gateway;
    gateway
      .messages({ method: 'POST', headers: head.headers, fields: head.fields }, reply, body, head.path, head.endpoint)
      .catch((err: unknown) => {
        this.ctx.onError(err);
        if (reply.headersSent()) reply.cut();
        else gateway.refuse(reply, UNAVAILABLE);
      });
  }

  /** The reply has been written (`keepOpen`: the connection may carry another request). */
  replied(reply: WireReply, keepOpen: boolean): void {
    if (this.reply !== reply) return;
    this.reply = null;
    // A client that ended its side was destroyed in onEnd: `destroyed` is that state.
    if (!keepOpen || this.socket.destroyed || this.ctx.closing()) {
      this.socket.end();
      return;
    }
    this.setTimeout(this.pending === null ? this.ctx.keepAliveTimeoutMs() : this.ctx.requestTimeoutMs());
    if (this.socket.isPaused()) this.socket.resume();
    this.next();
  }

  /**
   * The timeout stays armed while an exchange is in flight (a client that sends nothing while it waits is normal):
   * `onTimeout` ignores it then, and node:net re-arms it on the next read or write.
   */
  private setTimeout(ms: number): void {
    if (ms === this.timeoutMs) return;
    this.timeoutMs = ms;
    this.socket.setTimeout(ms);
  }

  private handOverNow(): void {
    const socket = this.socket;
    socket.removeListener('data', this.onData);
    socket.removeListener('end', this.onEnd);
    socket.removeListener('close', this.onClose);
    socket.removeListener('error', this.ignoreError);
    socket.removeListener('timeout', this.onTimeout);
    socket.setTimeout(0);
    this.ctx.forget(this);
    // Bytes read into the stream's buffer while it was paused (pipelined requests) come after `pending`.
    let pending = this.pending;
    this.pending = null;
    for (let more = socket.read() as Buffer | null; more !== null; more = socket.read() as Buffer | null) {
      pending = pending === null ? more : Buffer.concat([pending, more]);
    }
    if (socket.isPaused()) socket.resume();
    this.ctx.handOver(socket, pending);
  }
}

/**
 * A ClientReply written straight to the socket. A forwarded response's body goes out as the upstream framed it
 * (chunked stays chunked, a length stays a length; a body delimited by the upstream's close is delimited by this
 * connection's close), so nothing is decoded or re-encoded on the way.
 */
export class WireReply implements ClientReply {
  readonly framed = true;
  private started = false;
  private done = false;
  /** The client went away or the reply was cut. */
  private lost = false;
  private goneListener: (() => void) | null = null;
  private readonly cork: TurnCork;

  constructor(
    private readonly connection: WireConnection,
    private closeAfter: boolean,
  ) {
    this.cork = new TurnCork(connection.socket);
  }

  gone(): boolean {
    return this.lost || this.connection.socket.destroyed;
  }

  headersSent(): boolean {
    return this.started;
  }

  onGone(listener: () => void): void {
    this.goneListener = listener;
  }

  /** The connection closed before the reply ended. */
  clientGone(): void {
    if (this.done) return;
    this.done = true;
    this.lost = true;
    this.goneListener?.();
  }

  answer(status: number, headers: Record<string, string>, body: string): void {
    if (this.started || this.done) return;
    this.started = true;
    let head = `${statusLine(status)}content-type: application/json\r\ndate: ${new Date().toUTCString()}\r\n`;
    for (const name in headers) head += `${name}: ${headers[name] as string}\r\n`;
    head += `content-length: ${Buffer.byteLength(body)}\r\n`;
    if (this.closeAfter) head += 'connection: close\r\n';
    const socket = this.connection.socket;
    socket.cork();
    socket.write(head + '\r\n', 'latin1');
    socket.write(body, 'utf8');
    socket.uncork();
    this.finish();
  }

  start(head: ResponseHead, requestId: string | null, added: Record<string, string>): void {
    if (this.started || this.done) return;
    this.started = true;
    let after = requestId === null ? '' : `request-id: ${requestId}\r\n`;
    for (const name in added) after += `${name}: ${added[name] as string}\r\n`;
    if (head.framing === 'chunked') after += 'transfer-encoding: chunked\r\n';
    else if (head.framing === 'length') after += `content-length: ${head.contentLength}\r\n`;
    else if (head.framing === 'close') this.closeAfter = true;
    if (this.closeAfter) after += 'connection: close\r\n';
    this.cork.hold();
    this.connection.socket.write(
      composeHead(statusLine(head.status), head.fields, responseFieldKept(head), after + '\r\n'),
    );
  }

  write(bytes: Buffer): boolean {
    if (this.done) return true;
    this.cork.hold();
    return this.connection.socket.write(bytes);
  }

  onDrain(listener: () => void): void {
    this.connection.socket.once('drain', listener);
  }

  end(alone: boolean): void {
    if (this.done) return;
    if (alone) this.cork.flush();
    this.finish();
  }

  cut(): void {
    if (this.done) return;
    this.done = true;
    this.lost = true;
    this.connection.socket.destroy();
  }

  private finish(): void {
    this.done = true;
    this.connection.replied(this, !this.closeAfter);
  }
}

function statusLine(status: number): string {
  return `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Unknown'}\r\n`;
}
