import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { getMeta, setMeta } from '../store/api-tokens.repo.js';
import type { Store } from '../store/store.js';
import { buildCalendar } from './cadence-ics.js';
import { cadenceConcerns, cadenceOverview } from './cadence.js';

/**
 * Calendar subscriptions (issue 6: "an ICS calendar feed per person/role so reviews land on someone's calendar").
 * Calendar apps (Outlook, Google Calendar, Apple Calendar) subscribe to a URL and cannot send an Authorization
 * header, so a subscription URL carries its own proof instead: the feed's filter (a person or a role) and an
 * HMAC-SHA256 of it under a server secret (kept in `meta`, made on first use). It opens that one feed and nothing
 * else — the review schedule, no activity data — and rotating the secret revokes every URL issued.
 */
export interface FeedFilter {
  person?: string;
  role?: string;
}

const SECRET_KEY = 'calendar_feed_secret';

async function secret(store: Store): Promise<Buffer> {
  const stored = await getMeta(store.db, SECRET_KEY);
  if (stored) return Buffer.from(stored, 'base64url');
  const made = randomBytes(32);
  await setMeta(store.db, SECRET_KEY, made.toString('base64url'));
  // Two first uses at once: whichever write landed last is the secret; read it back so both agree.
  return Buffer.from((await getMeta(store.db, SECRET_KEY)) ?? made.toString('base64url'), 'base64url');
}

/** Every subscription URL issued so far stops working. */
export async function rotateFeedSecret(store: Store): Promise<void> {
  await setMeta(store.db, SECRET_KEY, randomBytes(32).toString('base64url'));
}

const sign = (key: Buffer, payload: string): string => createHmac('sha256', key).update(payload).digest('base64url');

/** `<payload>.<signature>`, both base64url: the last path segment of a subscription URL (before `.ics`). */
export async function feedToken(store: Store, filter: FeedFilter): Promise<string> {
  const payload = Buffer.from(
    JSON.stringify({ ...(filter.person ? { p: filter.person } : {}), ...(filter.role ? { r: filter.role } : {}) }),
  ).toString('base64url');
  return `${payload}.${sign(await secret(store), payload)}`;
}

/** The filter a token was issued for, or null when it was not issued by this server (or the secret was rotated). */
export async function readFeedToken(store: Store, token: string): Promise<FeedFilter | null> {
  const dot = token.indexOf('.');
  if (dot <= 0 || token.length > 2000) return null;
  const payload = token.slice(0, dot);
  const given = Buffer.from(token.slice(dot + 1), 'base64url');
  const expected = Buffer.from(sign(await secret(store), payload), 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  try {
    const o = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { p?: unknown; r?: unknown };
    return {
      ...(typeof o.p === 'string' ? { person: o.p } : {}),
      ...(typeof o.r === 'string' ? { role: o.r } : {}),
    };
  } catch {
    return null;
  }
}

/** The active cadences that concern `filter` as an iCalendar document (RFC 5545). */
export async function calendarFeed(store: Store, orgId: string, filter: FeedFilter, now = Date.now()): Promise<string> {
  const { cadences } = await cadenceOverview(store, orgId, now);
  const entries = cadences
    .filter((c) => c.cadence.active && cadenceConcerns(c.cadence, filter))
    .map((c) => ({ cadence: c.cadence, nextDue: c.status.nextDue }));
  const who = filter.person ?? (filter.role ? `role ${filter.role}` : null);
  return buildCalendar(entries, {
    now,
    orgId,
    name: who ? `Steward governance reviews (${who})` : 'Steward governance reviews',
  });
}
