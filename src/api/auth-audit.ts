import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuditEntryInput } from '../contracts/audit.js';
import type { VerifiedToken } from '../identity/api-tokens.js';
import { openApiPath, requestSource, tokenActor } from './audit-trail.js';

/**
 * Logins, refused authentication and token use in the audit vault (issue 7, docs/audit.md "What is audited").
 * - `token.use`: the first request of each API token in each UTC hour (details: role, the route it first called).
 *   The auth hook calls `used` on every authenticated request, so the check is one Map lookup.
 * - `auth.failure` (a 401 from the auth hook) and failed `auth.login`: the actor is the client address
 *   (`anonymous`), never what was presented. They are coalesced per action and address per minute: the first one is
 *   recorded at once, the rest of that minute as one entry with their count when the minute is over, so a flood
 *   writes at most two entries per address per minute — and beyond MAX_ADDRESSES addresses in a minute, the others
 *   share one bucket (`*`).
 */
export interface AuthObserver {
  /** A request authenticated with an API token (every request: keep it cheap). */
  used(principal: VerifiedToken, request: FastifyRequest): void;
  /** The auth hook refused a request with 401. */
  refused(request: FastifyRequest, reason: string): void;
}

type Recorder = { record(entry: AuditEntryInput): void };

const HOUR = 3_600_000;
const MINUTE = 60_000;
const MAX_TOKENS = 100_000;
const MAX_ADDRESSES = 1_000;

interface Bucket {
  action: string;
  ip: string;
  minute: number;
  /** Failures after the first in this minute (the first was recorded when it happened). */
  more: number;
  firstMore: number;
  lastMore: number;
  reasons: Record<string, number>;
}

const routeOf = (request: FastifyRequest): string =>
  `${request.method} ${openApiPath(request.routeOptions.url ?? request.url.split('?')[0] ?? '')}`.slice(0, 512);

export class AuthAudit implements AuthObserver {
  private readonly hourOfToken = new Map<string, number>();
  private readonly buckets = new Map<string, Bucket>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly audit: Recorder,
    private readonly clock: () => number = Date.now,
  ) {}

  used(principal: VerifiedToken, request: FastifyRequest): void {
    const now = this.clock();
    const hour = Math.floor(now / HOUR);
    if (this.hourOfToken.get(principal.id) === hour) return;
    this.tokenUsed(principal, hour, now, routeOf(request), requestSource(request));
  }

  /** Token use outside Fastify (OTLP over gRPC): `route` names what was called. */
  usedOutside(principal: VerifiedToken, route: string, source: { ip?: string } = {}): void {
    const now = this.clock();
    const hour = Math.floor(now / HOUR);
    if (this.hourOfToken.get(principal.id) === hour) return;
    this.tokenUsed(principal, hour, now, route, source);
  }

  private tokenUsed(p: VerifiedToken, hour: number, now: number, route: string, source: AuditEntryInput['source']) {
    if (this.hourOfToken.size >= MAX_TOKENS) this.hourOfToken.clear();
    this.hourOfToken.set(p.id, hour);
    this.audit.record({
      time: now,
      actor: tokenActor(p),
      action: 'token.use',
      subject: { kind: 'token', id: p.id },
      ...(source && Object.keys(source).length > 0 ? { source } : {}),
      outcome: 'success',
      details: { role: p.role, route, hour: new Date(hour * HOUR).toISOString() },
    });
  }

  refused(request: FastifyRequest, reason: string): void {
    this.failed('auth.failure', request, reason);
  }

  loggedIn(principal: VerifiedToken, request: FastifyRequest): void {
    this.audit.record({
      time: this.clock(),
      actor: tokenActor(principal),
      action: 'auth.login',
      subject: { kind: 'token', id: principal.id },
      source: requestSource(request),
      outcome: 'success',
      details: { role: principal.role },
    });
  }

  loginFailed(request: FastifyRequest): void {
    this.failed('auth.login', request, 'token not accepted');
  }

  private failed(action: string, request: FastifyRequest, reason: string): void {
    const now = this.clock();
    const minute = Math.floor(now / MINUTE);
    const address = request.ip || 'unknown';
    let key = `${action} ${address}`;
    let bucket = this.buckets.get(key);
    if (bucket && bucket.minute !== minute) {
      this.close(key, bucket);
      bucket = undefined;
    }
    if (!bucket && this.buckets.size >= MAX_ADDRESSES) {
      key = `${action} *`;
      bucket = this.buckets.get(key);
    }
    if (bucket) {
      if (bucket.more === 0) bucket.firstMore = now;
      bucket.more += 1;
      bucket.lastMore = now;
      bucket.reasons[reason] = (bucket.reasons[reason] ?? 0) + 1;
      return;
    }
    const ip = key.endsWith(' *') ? '*' : address;
    this.buckets.set(key, { action, ip, minute, more: 0, firstMore: 0, lastMore: 0, reasons: {} });
    this.timer ??= setInterval(() => this.sweep(), MINUTE).unref();
    this.audit.record({
      time: now,
      actor: { kind: 'anonymous', id: ip },
      action,
      ...(ip === '*' ? {} : { source: requestSource(request) }),
      outcome: 'failure',
      details: { count: 1, reason, route: routeOf(request) },
    });
  }

  private close(key: string, b: Bucket): void {
    this.buckets.delete(key);
    if (b.more === 0) return;
    this.audit.record({
      time: b.lastMore,
      actor: { kind: 'anonymous', id: b.ip },
      action: b.action,
      ...(b.ip === '*' ? {} : { source: { ip: b.ip } }),
      outcome: 'failure',
      details: {
        count: b.more,
        coalesced: true,
        first_at: new Date(b.firstMore).toISOString(),
        last_at: new Date(b.lastMore).toISOString(),
        reasons: b.reasons,
      },
    });
  }

  /** Records the counts of minutes that are over. */
  sweep(): void {
    const minute = Math.floor(this.clock() / MINUTE);
    for (const [key, b] of this.buckets) if (b.minute < minute) this.close(key, b);
  }

  /** Records every pending count (on stop, before the vault's last flush). */
  flush(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    for (const [key, b] of this.buckets) this.close(key, b);
  }
}

/** The AuthAudit the auth hook reports to; its pending counts are recorded when the server closes (before the vault). */
export function registerAuthAudit(app: FastifyInstance, audit: Recorder): AuthAudit {
  const authAudit = new AuthAudit(audit);
  app.addHook('onClose', async () => authAudit.flush());
  return authAudit;
}
