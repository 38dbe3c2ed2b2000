import { existsSync } from 'node:fs';
import { extname, join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { AppError } from '../errors/app-error.js';
import { PUBLIC } from '../identity/roles.js';
import { packageRoot } from '../version.js';

/**
 * The web console (DESIGN §5: `/`, a React SPA built by Vite into web/dist, served by the same process).
 * The files are public: they hold no data. Everything shown comes from /api/v1 with the signed-in user's token.
 *
 * Paths that belong to other surfaces never fall back to the SPA, so a mistyped API URL still answers a JSON 404.
 */
const NOT_CONSOLE = ['/api/', '/v1/', '/gateway/', '/hooks/', '/mcp/', '/scim/'];

/**
 * A strict policy: the console loads only its own scripts and styles and talks only to this origin, which limits
 * what an injected script could do with the token held in sessionStorage. Inline style attributes are allowed
 * because ECharts positions its tooltip with them.
 */
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Steward — console not built</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 4rem auto; line-height: 1.5; padding: 0 1rem">
<h1>Steward is running, but the web console has not been built</h1>
<p>Run <code>npm run build</code> (it builds the server and the console into <code>web/dist</code>), then restart
Steward. For live reloading while working on the console, run <code>npm run dev:web</code> next to the server.</p>
<p>The REST API is available meanwhile: <a href="/api/v1/openapi.json">/api/v1/openapi.json</a>.</p>
</body></html>
`;

/** `root` defaults to web/dist in the package (where `npm run build` puts the console). */
export function registerConsoleRoutes(app: FastifyInstance, opts: { root?: string } = {}): void {
  const root = opts.root ?? join(packageRoot(), 'web', 'dist');
  const built = existsSync(join(root, 'index.html'));
  // `serve: false`: the plugin only adds reply.sendFile (safe path resolution, ETags, ranges); the routes are ours,
  // so they declare their access like every other route.
  if (built) void app.register(fastifyStatic, { root, serve: false, index: false });

  const send = (reply: FastifyReply, file: string): FastifyReply => {
    reply.headers(SECURITY_HEADERS);
    if (!built) return reply.type('text/html; charset=utf-8').send(NOT_BUILT_PAGE);
    // Vite fingerprints everything under assets/ (the name changes with the content), so it may be cached for good;
    // index.html names the current fingerprints and must be revalidated every time.
    if (file.startsWith('assets/')) return reply.sendFile(file, { maxAge: '365d', immutable: true });
    return reply.sendFile(file, { maxAge: 0, cacheControl: false }).header('cache-control', 'no-cache');
  };

  app.get('/', { config: { access: PUBLIC } }, async (_request, reply) => send(reply, 'index.html'));
  app.get('/*', { config: { access: PUBLIC } }, async (request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    if (NOT_CONSOLE.some((prefix) => path.startsWith(prefix))) {
      throw new AppError('not_found', `no route for ${request.method} ${path}`);
    }
    // A path with a file extension is a file (missing → 404); anything else is a console page (the SPA routes it).
    let file: string;
    try {
      file = decodeURIComponent(path.slice(1));
    } catch {
      throw new AppError('not_found', `no route for ${request.method} ${path}`);
    }
    return send(reply, extname(file) === '' ? 'index.html' : file);
  });
}
