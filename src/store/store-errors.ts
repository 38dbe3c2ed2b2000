/**
 * Tells a database error caused by the data (retrying the same batch can never succeed) from one caused by the
 * database (retry later). PostgreSQL SQLSTATE classes 22 (data exception), 23 (integrity constraint) and 54
 * (program limit exceeded, e.g. an index row too large); SQLite result codes for oversized or mistyped values and
 * constraints. Errors that are not database errors at all came from processing this batch, so they count as data.
 */
const PG_DATA_CLASSES = new Set(['22', '23', '54']);
const SQLITE_DATA_CODES = /^SQLITE_(TOOBIG|MISMATCH|RANGE|CONSTRAINT)/;

export function isDataError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return true;
  if (/^[0-9A-Z]{5}$/.test(code)) return PG_DATA_CLASSES.has(code.slice(0, 2));
  if (code.startsWith('SQLITE_')) return SQLITE_DATA_CODES.test(code);
  return false; // ECONNREFUSED, ETIMEDOUT, …: the database, not the data
}
