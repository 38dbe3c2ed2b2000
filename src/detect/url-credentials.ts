/**
 * Passwords in the userinfo of URLs (RFC 3986 §3.2.1: `scheme://user:password@host`), as in database connection
 * strings — `postgres://app:S3cr3t@db:5432/app`, `mongodb+srv://…`, `redis://:pass@…`. The span is the password
 * alone, so a redacted connection string keeps its user, host and database readable.
 */
import { ALNUM, DASH, DOT, PLUS, indexWithin, isClass, runStart } from './char-classes.js';
import { addFinding, type ScanContext } from './scan-context.js';

/** Schemes of database and message-broker URLs; other schemes with a password score lower. */
const DATABASE_SCHEMES = new Set([
  'postgres', 'postgresql', 'mysql', 'mariadb', 'mongodb', 'mongodb+srv', 'redis', 'rediss', 'amqp', 'amqps',
  'mssql', 'sqlserver', 'oracle', 'cockroachdb', 'clickhouse', 'couchdb', 'cassandra', 'neo4j', 'neo4j+s',
  'memcached', 'db2', 'snowflake', 'nats', 'kafka', 'elasticsearch', 'influxdb', 'timescaledb', 'ldap', 'ldaps',
]); // prettier-ignore

/** Placeholder passwords of documentation and tutorials. */
const PLACEHOLDERS = new Set([
  'password', 'pass', 'passwd', 'pwd', 'secret', 'changeme', 'yourpassword', 'your_password', 'your-password',
  'mypassword', 'my_password', 'pa55word', 'xxx', 'xxxx', 'xxxxxx', '****', '*****', '******', '********', 'example',
]); // prettier-ignore

const MAX_AUTHORITY = 300;

/**
 * The last authority stop before `at`, looking back at most MAX_AUTHORITY characters (floor - 1 when there is none).
 * The previous walk is remembered: a run of `@` with no stop between them (`a@a@a@…`) is walked once, not once per `@`.
 */
function authorityStop(ctx: ScanContext, at: number): number {
  const { text } = ctx;
  const floor = Math.max(0, at - MAX_AUTHORITY);
  const known = ctx.authorityWalk;
  const lowest = known && known.at < at && known.at >= floor ? known.at : floor;
  let sep = at - 1;
  while (sep >= lowest && !isAuthorityStop(text.charCodeAt(sep))) sep--;
  // Nothing between the previous `@` and this one: its stop is this one's too (unless now beyond the floor).
  if (sep < lowest && known && lowest === known.at) sep = Math.max(known.stop, floor - 1);
  ctx.authorityWalk = { at, stop: sep };
  return sep;
}

/**
 * Examines an `@` at `at`. Returns true when it is the userinfo delimiter of a URL (so it is not an e-mail
 * address), recording the password when there is one.
 */
export function urlCredentialAt(ctx: ScanContext, at: number): boolean {
  const { text } = ctx;
  // Walk back over the authority (no whitespace, slash, quote …) to the `://` that must precede it.
  let sep = authorityStop(ctx, at);
  if (sep < 2 || text.charCodeAt(sep) !== 47 || text.charCodeAt(sep - 1) !== 47 || text.charCodeAt(sep - 2) !== 58)
    return false;
  sep -= 2;
  // RFC 3986: the userinfo ends at the last `@` of the authority; an earlier `@` is part of the password.
  for (let k = at + 1; k < text.length && k < at + MAX_AUTHORITY; k++) {
    const c = text.charCodeAt(k);
    if (c === 64) return true;
    if (isAuthorityStop(c)) break;
  }
  const colon = indexWithin(text, ':', sep + 3, at);
  if (colon < 0 || colon >= at - 1) return true; // user only, or an empty password
  if (!isClass(text, at + 1, ALNUM) && text[at + 1] !== '[') return true; // no host
  const password = text.slice(colon + 1, at);
  const first = password[0] ?? '';
  if ('$%{<'.includes(first)) return true; // ${DB_PASSWORD}, %s, {password}, <password>
  const scheme = text.slice(runStart(text, sep, ALNUM | PLUS | DOT | DASH, 30), sep).toLowerCase();
  const example = PLACEHOLDERS.has(password.toLowerCase());
  addFinding(ctx, 'database_url_password', colon + 1, at, DATABASE_SCHEMES.has(scheme) ? 0.9 : 0.75, 'none', example);
  return true;
}

/** Characters that cannot occur unencoded in an authority: whitespace, `/ ? #`, quotes and angle brackets. */
function isAuthorityStop(c: number): boolean {
  return c <= 32 || c === 47 || c === 63 || c === 35 || c === 34 || c === 39 || c === 60 || c === 62 || c === 96;
}
