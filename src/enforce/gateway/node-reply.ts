import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { TurnCork, type ClientReply } from './client-reply.js';
import { clientResponseHeaders } from './forward-headers.js';
import type { ResponseHead } from './wire/http1-head.js';

/**
 * A ClientReply on a node:http ServerResponse, for gateway requests node:http serves (connections the gateway's own
 * loop handed over, `inject()`). node:http frames the body, so it is given the content.
 */
export class NodeReply implements ClientReply {
  readonly framed = false;
  private readonly cork: TurnCork;

  constructor(private readonly res: ServerResponse) {
    this.cork = new TurnCork(res);
  }

  gone(): boolean {
    return this.res.destroyed;
  }

  headersSent(): boolean {
    return this.res.headersSent;
  }

  onGone(listener: () => void): void {
    this.res.on('close', () => {
      if (this.res.writableFinished) return;
      // A client that half-closed its side must not keep the socket (and server shutdown) waiting.
      this.res.destroy();
      listener();
    });
  }

  answer(status: number, headers: Record<string, string>, body: string): void {
    if (this.res.headersSent) return;
    this.res.writeHead(status, { 'content-type': 'application/json', ...headers });
    this.res.end(body);
  }

  start(head: ResponseHead, requestId: string | null, added: Record<string, string>): void {
    const out: OutgoingHttpHeaders = clientResponseHeaders(head.headers);
    if (requestId !== null) out['request-id'] = requestId;
    Object.assign(out, added);
    this.res.writeHead(head.status, out);
  }

  write(bytes: Buffer): boolean {
    this.cork.hold();
    return this.res.write(bytes);
  }

  onDrain(listener: () => void): void {
    this.res.once('drain', listener);
  }

  end(): void {
    // node:http's end() writes what is held at once whatever else is in flight.
    this.res.end();
  }

  cut(): void {
    this.res.destroy();
  }
}
