import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { AppError } from '../errors/app-error.js';
import { exportMarkdown, exportSheets } from '../govern/exchange/exchange-export.js';
import { fromCsv, fromXlsx, toCsv, toXlsx } from '../govern/exchange/exchange-formats.js';
import { importSheets } from '../govern/exchange/exchange-import.js';
import { SHEETS, sheetKindOf, sheetSpec } from '../govern/exchange/exchange-sheets.js';
import { ADMIN, READ } from '../identity/roles.js';
import type { Store } from '../store/store.js';
import { actorOf } from './governance-objects.routes.js';
import { defineRoute, type RegisteredSpec } from './route-spec.js';

/**
 * Governance import and export over REST (docs/governance.md, "Import, export and init"): the same sheets as
 * `steward gov export|import`. Import takes the XLSX bytes (or one sheet as CSV with `sheet=`), validates every row
 * and writes all or nothing; `dry_run=true` reports without writing.
 */
const G = '/api/v1/governance';
const tag = 'governance';
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const MAX_IMPORT_BYTES = 10 * 1024 * 1024;
const sheetNames = SHEETS.map((s) => s.file) as [string, ...string[]];

const sheetParam = z
  .string()
  .refine((s) => sheetKindOf(s) !== undefined, `must be one of ${sheetNames.join(', ')}`)
  .optional();

export function registerGovernanceExchangeRoutes(app: FastifyInstance, registry: RegisteredSpec[], store: Store): void {
  // XLSX and CSV bodies arrive as bytes (other routes never receive these types).
  app.addContentTypeParser(
    [XLSX, 'application/octet-stream', 'text/csv'],
    { parseAs: 'buffer', bodyLimit: MAX_IMPORT_BYTES },
    (_req, body, done) => done(null, body),
  );

  defineRoute(app, registry, {
    method: 'GET',
    url: `${G}/export`,
    access: READ,
    tag,
    summary:
      'The inventories, policy rules, RACI and cadences: `format=xlsx` (one sheet each), `format=md` (one Markdown ' +
      `document), or \`format=csv\` with \`sheet\` (one of ${sheetNames.join(', ')}).`,
    query: z.strictObject({ format: z.enum(['xlsx', 'csv', 'md']), sheet: sheetParam }),
    handler: async ({ query }, reply) => {
      if (query.format === 'md') return reply.type('text/markdown; charset=utf-8').send(await exportMarkdown(store));
      const sheets = await exportSheets(store);
      if (query.format === 'xlsx') {
        return reply
          .type(XLSX)
          .header('content-disposition', 'attachment; filename="governance.xlsx"')
          .send(await toXlsx(sheets));
      }
      const kind = query.sheet === undefined ? undefined : sheetKindOf(query.sheet);
      if (kind === undefined)
        throw new AppError('invalid_query', `sheet: format=csv needs one of ${sheetNames.join(', ')}`);
      const spec = sheetSpec(kind);
      const sheet = sheets.find((s) => s.title === spec.title);
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${spec.file}.csv"`)
        .send(sheet ? toCsv(sheet) : '');
    },
  });

  defineRoute(app, registry, {
    method: 'POST',
    url: `${G}/import`,
    access: ADMIN,
    tag,
    summary:
      `Import an XLSX workbook (body: the file's bytes, \`content-type: ${XLSX}\` or application/octet-stream) or one ` +
      'sheet as CSV (`content-type: text/csv`, `sheet=connectors`). Objects are matched by kind and name. Every ' +
      'problem is reported by sheet, row and column (400, `details.errors`) and then nothing is written; ' +
      '`dry_run=true` reports what would be created, updated or unchanged without writing.',
    query: z.strictObject({ dry_run: z.enum(['true', 'false']).default('false'), sheet: sheetParam }),
    handler: async ({ query, request }) => {
      const body = request.body;
      if (!Buffer.isBuffer(body) || body.length === 0) {
        throw new AppError('bad_request', `body: send the XLSX file (content-type ${XLSX}) or a CSV sheet`);
      }
      const isCsv = (request.headers['content-type'] ?? '').startsWith('text/csv');
      let sheets;
      try {
        if (isCsv) {
          if (query.sheet === undefined) throw new Error(`a CSV import needs sheet= (${sheetNames.join(', ')})`);
          sheets = [fromCsv(body.toString('utf8'), `${query.sheet}.csv`)];
        } else sheets = await fromXlsx(body);
      } catch (err) {
        throw new AppError('bad_request', `body: ${(err as Error).message}`);
      }
      return importSheets(store, sheets, {
        actor: actorOf(request),
        dryRun: query.dry_run === 'true',
        source: isCsv ? `${query.sheet ?? 'sheet'}.csv (API)` : 'an XLSX upload (API)',
      });
    },
  });
}
