import type { ResponseHead } from './wire/http1-head.js';

/**
 * Where the gateway's answer to one request goes. Two kinds of connection carry gateway requests: those the
 * gateway's own HTTP/1.1 loop serves (wire/wire-connection.ts, the hot path: the upstream's framed bytes pass
 * through untouched) and those node:http serves (node-reply.ts: requests the loop hands over, `inject()` in tests;
 * node:http frames the content itself). The gateway and the forwarder speak only to this interface.
 */
export interface ClientReply {
  /** true: `write` takes the body as the upstream framed it; false: its content (chunked framing removed). */
  readonly framed: boolean;
  /** The client went away, or the reply was cut. */
  gone(): boolean;
  headersSent(): boolean;
  /** Runs once if the client goes away before the reply has ended. */
  onGone(listener: () => void): void;
  /** A whole response the gateway makes itself (refusals, gateway errors): JSON body, `headers` added. */
  answer(status: number, headers: Record<string, string>, body: string): void;
  /**
   * The head of a forwarded response: the upstream's fields less hop-by-hop ones, `requestId` when the upstream
   * sent none, `added` (budget warnings), and framing for what follows.
   */
  start(head: ResponseHead, requestId: string | null, added: Record<string, string>): void;
  /** false: the client is not keeping up; `onDrain` says when to go on. */
  write(bytes: Buffer): boolean;
  onDrain(listener: () => void): void;
  /**
   * The reply is complete. `alone`: no other exchange is in flight, so its bytes leave at once rather than with the
   * rest of the turn's writes (TurnCork).
   */
  end(alone: boolean): void;
  /** Breaks a response mid-stream: the client sees a broken stream, never a truncated one that looks whole. */
  cut(): void;
}

/**
 * Holds a stream's writes until the end of this event-loop turn (setImmediate, never a timer), for both replies:
 * the head, the chunks that arrived with it and the end leave in one write instead of several (one syscall per
 * response fewer; profiled at ~5% of the gateway's CPU under load). Chunks arriving in later turns are not held.
 */
export class TurnCork {
  private held = false;
  private readonly release = (): void => {
    this.held = false;
    this.stream.uncork();
  };

  constructor(private readonly stream: { cork(): void; uncork(): void }) {}

  hold(): void {
    if (this.held) return;
    this.held = true;
    this.stream.cork();
    setImmediate(this.release);
  }

  /**
   * Lets what is held leave now: the reply has ended and is the only one in flight, so whatever else this turn does
   * (reading usage, metering, settling the budget) must not stand between the client and its last bytes. With
   * others in flight the turn's replies still leave together: writes spread through a turn cost CPU at c ≥ 16 (an
   * earlier session measured 40 µs per request at c=16, this one ~10 µs; docs/gateway-benchmark.md). The pending
   * release then finds nothing held.
   */
  flush(): void {
    if (!this.held) return;
    this.held = false;
    this.stream.uncork();
  }
}
