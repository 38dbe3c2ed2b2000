import { readFileSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { failClosedAnswer } from './hook-answer.js';
import { isPolicySnapshot, readHookCache, writeHookCache, type HookCacheFile } from './hook-cache.js';
import { isDecidedEvent } from './hook-events.js';
import { spoolDecision, spoolPath, takeSpool, type OfflineDecision } from './offline-decisions.js';

/**
 * `steward hook`: the Claude Code command hook (claude-surfaces.md §3; claude-code-observed.md §4).
 *   stdin JSON → POST <server>/hooks/claude-code (short timeout) → print the server's answer
 *             → else decide locally with the cached policy (hook-local.ts, loaded only then)
 *             → else fail open (no output) or closed (a deny/block JSON) per the last known policy or --on-failure.
 * Always exit 0 with JSON: exit 2 would show the hook's command line (and any flag on it) to the model and the
 * person. This file loads only node builtins: every Claude Code tool call starts a hook process, and the common
 * path (server reachable) must not pay for zod, the detectors or the policy compiler (~45 ms for zod alone).
 * Nothing here prints the environment, the token or the hook input.
 */
export interface HookClientOptions {
  server: string | null;
  /** Claude Code's install id (`userID` in ~/.claude.json, OTel `user.id`), so the server knows the person even
   *  before the session's first telemetry export; null when unknown. */
  deviceId: string | null;
  token: string | null;
  timeoutMs: number;
  cachePath: string;
  /** The stance when no policy is known at all (no server answer, no cache). */
  onFailure: 'open' | 'closed';
  maxInputBytes: number;
  stdin: AsyncIterable<Buffer | string>;
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown };
}

/** The local fallback: the answer, and the decision to record once the server is back (null: nothing decided). */
export type LocalDecider = (
  cache: HookCacheFile,
  input: unknown,
) => Promise<{ json: Record<string, unknown> | null; offline: OfflineDecision | null }>;

const FAIL_CLOSED_REASON =
  "Steward could not check this against your organisation's AI policy, and the policy says to stop when it cannot " +
  'check. Please try again in a moment; if this keeps happening, contact your AI platform team.';
const MAX_ANSWER_BYTES = 1024 * 1024;

export async function runHookClient(
  opts: HookClientOptions,
  decideLocally: () => Promise<LocalDecider>,
): Promise<number> {
  const note = (msg: string) => opts.stderr.write(`steward hook: ${msg}\n`);
  const emit = (json: Record<string, unknown> | null) => {
    if (json) opts.stdout.write(JSON.stringify(json));
    return 0;
  };
  const cache = () => readHookCache(opts.cachePath, opts.server);
  const failure = (event: string | null, why: string) => {
    const known = cache()?.policy.failure;
    const stance = known ? (isDecidedEvent(event) ? known[event] : known.unreadable) : opts.onFailure;
    note(`${why}; failing ${stance}`);
    return emit(stance === 'closed' ? failClosedAnswer(event, FAIL_CLOSED_REASON) : null);
  };

  const raw = await readInput(opts.stdin, opts.maxInputBytes);
  if (raw === null) return failure(null, `hook input larger than ${opts.maxInputBytes} bytes`);
  let input: unknown;
  try {
    input = JSON.parse(raw.toString('utf8'));
  } catch {
    return failure(null, 'hook input is not JSON');
  }
  const event = typeof input === 'object' && input !== null ? (input as Record<string, unknown>).hook_event_name : null;
  if (typeof event !== 'string') return failure(null, 'hook input has no hook_event_name');
  if (!isDecidedEvent(event)) return emit(null); // not an event Steward decides on: no opinion, no round trip

  if (opts.server) {
    const reply = await post(opts, '/hooks/claude-code', raw).catch((err: unknown) => ({ error: err as Error }));
    if ('status' in reply && reply.status >= 200 && reply.status < 300) {
      const answer = parseAnswer(reply.body);
      if (answer !== undefined) {
        emit(answer);
        await refreshCache(opts, reply.headers['x-steward-policy-version'], note);
        await sendSpool(opts, note);
        return 0;
      }
      note(`server answered ${reply.status} with a body that is not a hook answer`);
    } else if ('status' in reply && (reply.status === 400 || reply.status === 413)) {
      // The server read the policy and chose to fail open on this input (fail-closed answers 200 with a block).
      note(`server refused the hook input (${reply.status}): ${errorMessage(reply.body)}`);
      return emit(null);
    } else if ('status' in reply) {
      note(`server answered ${reply.status}${reply.status === 401 ? ' (check the hook token)' : ''}`);
    } else {
      note(`server unreachable (${reply.error.message})`);
    }
  }

  const cached = cache();
  if (cached) {
    try {
      const decide = await decideLocally();
      const local = await decide(cached, input);
      note(`decided with the cached policy ${cached.policy.version}`);
      if (local.offline && !spoolDecision(spoolPath(opts.cachePath), local.offline)) {
        note('offline decision spool is full; this decision will not be recorded');
      }
      return emit(local.json);
    } catch (err) {
      return failure(event, `cached policy unusable (${(err as Error).message})`);
    }
  }
  return failure(event, opts.server ? 'no cached policy' : 'no server configured and no cached policy');
}

async function readInput(stdin: AsyncIterable<Buffer | string>, max: number): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stdin) {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += b.length;
    if (size > max) return null;
    chunks.push(b);
  }
  return Buffer.concat(chunks);
}

/** Empty body = no opinion; otherwise a JSON object. Anything else is not an answer. */
function parseAnswer(body: Buffer): Record<string, unknown> | null | undefined {
  if (body.length === 0) return null;
  try {
    const v: unknown = JSON.parse(body.toString('utf8'));
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function errorMessage(body: Buffer): string {
  try {
    const v = JSON.parse(body.toString('utf8')) as { error?: { message?: unknown } };
    return typeof v.error?.message === 'string' ? v.error.message : 'no message';
  } catch {
    return 'no message';
  }
}

async function refreshCache(
  opts: HookClientOptions,
  version: string | string[] | undefined,
  note: (m: string) => void,
): Promise<void> {
  if (typeof version !== 'string' || !opts.server) return;
  if (readHookCache(opts.cachePath, opts.server)?.policy.version === version) return;
  try {
    const reply = await post(opts, '/hooks/claude-code/policy', null);
    if (reply.status !== 200) throw new Error(`server answered ${reply.status}`);
    const snapshot: unknown = JSON.parse(reply.body.toString('utf8'));
    if (!isPolicySnapshot(snapshot)) throw new Error('unexpected policy shape');
    writeHookCache(opts.cachePath, opts.server, snapshot);
  } catch (err) {
    note(`could not refresh the cached policy (${(err as Error).message})`);
  }
}

/** Sends decisions taken offline, now that the server answers; on failure they stay for the next time. */
async function sendSpool(opts: HookClientOptions, note: (m: string) => void): Promise<void> {
  const spool = takeSpool(spoolPath(opts.cachePath));
  if (!spool) return;
  try {
    const body = Buffer.from(JSON.stringify({ decisions: spool.decisions }));
    const reply = await post(opts, '/hooks/claude-code/decisions', body);
    if (reply.status < 200 || reply.status >= 300) throw new Error(`server answered ${reply.status}`);
    spool.done();
  } catch (err) {
    note(`could not send offline decisions (${(err as Error).message}); keeping them`);
    spool.giveBack();
  }
}

interface Reply {
  status: number;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

/** One request with a deadline covering connect, send and the whole response (node:http: no fetch start-up cost). */
function post(opts: HookClientOptions, path: string, body: Buffer | null): Promise<Reply> {
  return new Promise((resolve, reject) => {
    let url: URL;
    try {
      // Relative to the server URL, so a Steward behind a path prefix (https://proxy/steward) works too.
      url = new URL(path.slice(1), (opts.server as string).replace(/\/+$/, '') + '/');
    } catch {
      reject(new Error('invalid --server URL'));
      return;
    }
    const headers: Record<string, string> = { 'user-agent': 'steward-hook' };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    if (opts.deviceId) headers['x-steward-device-id'] = opts.deviceId;
    if (body) headers['content-type'] = 'application/json';
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(url, { method: body ? 'POST' : 'GET', headers }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_ANSWER_BYTES) req.destroy(new Error('answer too large'));
        else chunks.push(c);
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    const timer = setTimeout(() => req.destroy(new Error(`timed out after ${opts.timeoutMs} ms`)), opts.timeoutMs);
    req.on('error', reject);
    req.on('close', () => clearTimeout(timer));
    req.end(body ?? undefined);
  });
}

/**
 * The install id Claude Code keeps in `~/.claude.json` (or `$CLAUDE_CONFIG_DIR/.claude.json`) and exports as OTel
 * `user.id`: a random 64-hex id, not a secret. Only that field is read.
 */
export function claudeDeviceId(env: NodeJS.ProcessEnv, home: string): string | null {
  for (const dir of [env.CLAUDE_CONFIG_DIR, home]) {
    if (!dir) continue;
    try {
      const id = (JSON.parse(readFileSync(`${dir}/.claude.json`, 'utf8')) as { userID?: unknown }).userID;
      if (typeof id === 'string' && /^[0-9a-f]{64}$/.test(id)) return id;
    } catch {
      // absent or unreadable: try the next place
    }
  }
  return null;
}
