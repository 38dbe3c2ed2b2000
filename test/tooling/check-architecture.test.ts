import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { checkArchitecture, findImports, type Violation } from '../../scripts/check-architecture.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const roots: string[] = [];

/** Writes a fake repository: keys are paths relative to its root, values the file text. */
function fakeRepo(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'steward-arch-'));
  roots.push(root);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

const clean: Record<string, string> = {
  'src/main.ts': "import { buildApp } from './app.js';\nexport const main = buildApp;\n",
  'src/app.ts': "import { ingest } from './ingest/receiver.js';\nexport const buildApp = ingest;\n",
  'src/cli/main.ts': "import { buildApp } from '../app.js';\nexport const run = buildApp;\n",
  'src/ingest/receiver.ts': [
    "import type { Config } from '../config/schema.js';",
    "import { AppError } from '../errors/app-error.js';",
    "import { resolvePerson } from '../identity/person-resolver.js';",
    "import { insertEvents } from '../store/events.repo.js';",
    "import { canonical } from '../contracts/canonical.js';",
    "import { rows } from './normalise/normalise-logs.js';",
    'export const ingest = [AppError, resolvePerson, insertEvents, canonical, rows] as unknown as Config;',
  ].join('\n'),
  'src/ingest/normalise/normalise-logs.ts': 'export const rows = 1;\n',
  'src/ingest/usage.routes.ts': 'export {};\n',
  'src/ingest/otlp/proto/opentelemetry/proto/common/v1/Common_Thing.proto': 'syntax = "proto3";\n',
  'src/identity/person-resolver.ts':
    "import { analytics } from '../analytics/rollup.js';\nexport const resolvePerson = analytics;\n",
  'src/analytics/rollup.ts': "import { randomUUID } from 'node:crypto';\nexport const analytics = randomUUID;\n",
  'src/policy/evaluate.ts':
    "import { createHash } from 'node:crypto';\nimport { scan } from '../detect/scan.js';\nexport const e = [createHash, scan];\n",
  'src/policy/evaluate.test.ts': "import { readFileSync } from 'node:fs';\nexport const t = readFileSync;\n",
  'src/detect/scan.ts': 'export const scan = 1;\n',
  'src/store/events.repo.ts':
    "import pg from 'pg';\nimport type { Row } from '../contracts/canonical.js';\nexport const insertEvents = [pg] as unknown as Row;\n",
  'src/store/migrations/0001-initial.ts':
    "import { insertEvents } from '../events.repo.js';\nexport const m = insertEvents;\n",
  'src/contracts/canonical.ts':
    "import { z } from 'zod';\nimport { version } from '../version.js';\nexport type Row = string;\nexport const canonical = [z, version];\n",
  'src/version.ts': "import { readFileSync } from 'node:fs';\nexport const version = readFileSync;\n",
  'src/config/schema.ts': "import { z } from 'zod';\nexport type Config = object;\nexport const s = z;\n",
  'src/config/load.ts':
    "import { readFileSync } from 'node:fs';\nimport { AppError } from '../errors/app-error.js';\nexport const l = [readFileSync, AppError];\n",
  'src/errors/app-error.ts': 'export class AppError extends Error {}\n',
  'src/errors/http-error-handler.ts': "import type { FastifyReply } from 'fastify';\nexport type R = FastifyReply;\n",
  'src/store/events.repo.test.ts': "import { db } from '../../test/support/db.js';\nexport const t = db;\n",
  'src/README.md': '# src\n',
  'test/support/db.ts': 'export const db = 1;\n',
  'test/e2e/ingest.test.ts': 'export {};\n',
  'scripts/gen-docs.ts': 'export {};\n',
  'bench/ingest.bench.ts': 'export {};\n',
};

function withFiles(files: Record<string, string>): ReturnType<typeof checkArchitecture> {
  return checkArchitecture(fakeRepo({ ...clean, ...files }));
}

function described(violations: Violation[]): string[] {
  return violations.map((v) => `${v.rule} ${v.file}: ${v.message}`);
}

describe('check-architecture', () => {
  it('accepts a tree that follows every rule', () => {
    const report = checkArchitecture(fakeRepo(clean));
    expect(described(report.errors)).toEqual([]);
    expect(report.warnings).toEqual([]);
  });

  it('rejects names that are not kebab-case, outside the vendored proto folder and well-known names', () => {
    const report = withFiles({
      'src/ingest/BadName.ts': '',
      'src/ingest/Some_Dir/x.ts': '',
      'test/e2e/ingest_flow.test.ts': '',
      'scripts/genDocs.ts': '',
      'bench/Ingest.bench.ts': '',
      'web/src/App.tsx': '',
      'web/src/index.html': '',
      'web/vite.config.ts': '',
    });
    expect(report.errors.filter((v) => v.rule === 'names').map((v) => v.file)).toEqual(
      expect.arrayContaining([
        'src/ingest/BadName.ts',
        'src/ingest/Some_Dir',
        'test/e2e/ingest_flow.test.ts',
        'scripts/genDocs.ts',
        'bench/Ingest.bench.ts',
        'web/src/App.tsx',
      ]),
    );
    expect(report.errors.filter((v) => v.rule === 'names')).toHaveLength(6);
  });

  it('rejects grab-bag files and folders', () => {
    const report = withFiles({
      'src/store/utils.ts': '',
      'src/ingest/string-utils.ts': '',
      'src/analytics/helpers/x.ts': '',
      'test/common/x.ts': '',
      'bench/misc.ts': '',
    });
    expect(report.errors.filter((v) => v.rule === 'names').map((v) => v.file)).toEqual([
      'bench/misc.ts',
      'src/analytics/helpers',
      'src/ingest/string-utils.ts',
      'src/store/utils.ts',
      'test/common',
    ]);
  });

  it('rejects imports from a higher layer', () => {
    const report = withFiles({
      'src/store/people.repo.ts': "import { ingest } from '../ingest/receiver.js';\nexport const p = ingest;\n",
      'src/contracts/ids.ts': "export { insertEvents } from '../store/events.repo.js';\n",
      'src/identity/roles.ts': "export const load = () => import('../api/routes.js');\n",
      'src/api/routes.ts': "import { buildApp } from '../app.js';\nexport const r = buildApp;\n",
    });
    expect(described(report.errors)).toEqual([
      'layers src/api/routes.ts: imports ../app.js: api/ (surface layer) must not import app (higher entry layer)',
      'layers src/contracts/ids.ts: imports ../store/events.repo.js: contracts/ (contracts layer) must not import store (higher store layer)',
      'layers src/identity/roles.ts: imports ../api/routes.js: identity/ (domain layer) must not import api (higher surface layer)',
      'layers src/store/people.repo.ts: imports ../ingest/receiver.js: store/ (store layer) must not import ingest (higher surface layer)',
    ]);
  });

  it('keeps config/, errors/ and version.ts at the bottom: zod, node builtins and each other, never errors → config', () => {
    const report = withFiles({
      'src/errors/catalog.ts': "import type { Config } from '../config/schema.js';\nexport type C = Config;\n",
      'src/config/defaults.ts': "import { canonical } from '../contracts/canonical.js';\nexport const d = canonical;\n",
      'src/errors/log.ts': "import pino from 'pino';\nexport const l = pino;\n",
      'src/version.ts':
        "import { insertEvents } from './store/events.repo.js';\nexport const version = insertEvents;\n",
    });
    expect(described(report.errors)).toEqual([
      'layers src/config/defaults.ts: imports ../contracts/canonical.js: config imports only zod, node builtins, config/, errors/ and version.ts',
      'layers src/errors/catalog.ts: imports ../config/schema.js: errors/ must not import config/',
      'layers src/errors/log.ts: imports pino: errors imports only zod and node builtins (type-only imports aside)',
      'layers src/version.ts: imports ./store/events.repo.js: version imports only zod, node builtins, config/, errors/ and version.ts',
    ]);
  });

  it('rejects imports of cli/, web/ and test/ from the rest of src/', () => {
    const report = withFiles({
      'src/main.ts': "import { run } from './cli/main.js';\nexport const main = run;\n",
      'src/api/console.ts': "import { page } from '../../web/src/page.js';\nexport const c = page;\n",
      'src/store/seed.ts': "import { db } from '../../test/support/db.js';\nexport const s = db;\n",
    });
    expect(described(report.errors)).toEqual([
      'layers src/api/console.ts: imports ../../web/src/page.js: nothing in src/ imports the console (web/)',
      'layers src/main.ts: imports ./cli/main.js: nothing outside src/cli imports src/cli',
      'layers src/store/seed.ts: imports ../../test/support/db.js: code in src/ never imports test/ (only *.test.ts files may)',
    ]);
  });

  it('rejects I/O and store imports in policy/ and detect/, but not in their tests', () => {
    const report = withFiles({
      'src/policy/loader.ts': "import { readFile } from 'node:fs/promises';\nexport const l = readFile;\n",
      'src/policy/history.ts':
        "import { insertEvents } from '../store/events.repo.js';\nexport const h = insertEvents;\n",
      'src/detect/remote.ts': [
        "import { request } from 'undici';",
        "import type { Pool } from 'pg';",
        "import { spawn } from 'child_process';",
        'export const r = [request, spawn] as unknown as Pool;',
      ].join('\n'),
      'src/detect/remote.test.ts': "import { request } from 'undici';\nexport const t = request;\n",
    });
    expect(described(report.errors)).toEqual([
      'purity src/detect/remote.ts: imports undici: detect/ does no I/O (DESIGN §6); its caller does',
      'purity src/detect/remote.ts: imports pg: detect/ does no I/O (DESIGN §6); its caller does',
      'purity src/detect/remote.ts: imports child_process: detect/ does no I/O (DESIGN §6); its caller does',
      'purity src/policy/history.ts: imports ../store/events.repo.js: policy/ is pure and never reads the store; pass the data in',
      'purity src/policy/loader.ts: imports node:fs/promises: policy/ does no I/O (DESIGN §6); its caller does',
    ]);
  });

  it('rejects a top-level src/ module that belongs to no layer', () => {
    const report = withFiles({ 'src/shared-stuff/x.ts': 'export {};\n', 'src/server.ts': 'export {};\n' });
    expect(report.errors.map((v) => v.file)).toEqual(['src/server.ts', 'src/shared-stuff']);
  });

  it('warns above 400 lines and fails above 600', () => {
    const lines = (n: number): string => 'export const x = 1;\n'.repeat(n);
    const report = withFiles({
      'src/analytics/long.ts': lines(450),
      'src/analytics/too-long.ts': lines(601),
      'src/analytics/fine.ts': lines(400),
    });
    expect(described(report.warnings)).toEqual(['size src/analytics/long.ts: 450 lines (aim for under 400)']);
    expect(described(report.errors)).toEqual([
      'size src/analytics/too-long.ts: 601 lines (limit 600); split it by topic',
    ]);
  });

  it('finds static, type-only, re-export, side-effect and dynamic imports, ignoring comments', () => {
    const source = [
      '/** Example: import { x } from "./in-a-comment.js"; */',
      "// import y from './line-comment.js';",
      "import a, { b } from './a.js';",
      'import type {',
      '  C,',
      '  D,',
      "} from './types.js';",
      "import './side-effect.js';",
      "export * from './re-export.js';",
      "export type { E } from './re-export-type.js'",
      "const lazy = () => import('./lazy.js');",
      "const url = 'http://example.test/from/x';",
    ].join('\n');
    expect(findImports(source)).toEqual([
      { specifier: './a.js', typeOnly: false },
      { specifier: './types.js', typeOnly: true },
      { specifier: './side-effect.js', typeOnly: false },
      { specifier: './re-export.js', typeOnly: false },
      { specifier: './re-export-type.js', typeOnly: true },
      { specifier: './lazy.js', typeOnly: false },
    ]);
  });

  it('exits 1 with a readable list when run as a script on a root directory', async () => {
    const root = fakeRepo({ ...clean, 'src/store/utils.ts': 'export {};\n' });
    const tsx = join(repoRoot, 'node_modules', '.bin', 'tsx');
    const result = await promisify(execFile)(tsx, [join(repoRoot, 'scripts', 'check-architecture.ts'), root]).then(
      () => ({ code: 0, stderr: '' }),
      (err: { code: number; stderr: string }) => ({ code: err.code, stderr: err.stderr }),
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('architecture errors (1):');
    expect(result.stderr).toContain('[names] src/store/utils.ts: "utils.ts" is a grab-bag name');
  });
});
