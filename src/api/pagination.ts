import { z } from 'zod';
import { AppError } from '../errors/app-error.js';

/**
 * Keyset pagination: `cursor` is an opaque base64url token of the last row's sort key, so pages stay stable
 * while new telemetry arrives (offsets would shift). `limit` defaults to 50, max 500.
 */
export const pageQuery = {
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(512).optional(),
};

export interface Cursor {
  t: number;
  id: string | number;
}

export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify(c)).toString('base64url');
}

const cursorSchema = z.object({ t: z.number(), id: z.union([z.string(), z.number()]) });

export function decodeCursor(raw: string | undefined): Cursor | undefined {
  if (raw === undefined) return undefined;
  try {
    return cursorSchema.parse(JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')));
  } catch {
    throw new AppError('invalid_query', 'cursor is not a cursor returned by this API');
  }
}

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

export function page<T>(rows: T[], limit: number, key: (row: T) => Cursor): Page<T> {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items, next_cursor: rows.length > limit && last ? encodeCursor(key(last)) : null };
}

/** Parses a query with zod and answers 400 `invalid_query` naming every bad parameter. */
export function parseQuery<S extends z.ZodType>(schema: S, query: unknown): z.infer<S> {
  const res = schema.safeParse(query);
  if (!res.success) {
    const msg = res.error.issues.map((i) => `${i.path.join('.') || 'query'}: ${i.message}`).join('; ');
    throw new AppError('invalid_query', msg, {
      issues: res.error.issues.map((i) => ({ path: i.path, message: i.message })),
    });
  }
  return res.data;
}

/** ISO 8601 or epoch milliseconds → epoch ms. */
export const timeParam = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const n = typeof v === 'number' ? v : /^\d+$/.test(v) ? Number(v) : Date.parse(v);
  if (!Number.isFinite(n)) {
    ctx.addIssue({ code: 'custom', message: 'must be an ISO 8601 time or epoch milliseconds' });
    return z.NEVER;
  }
  return n;
});
