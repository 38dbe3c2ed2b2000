import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Starts a worker thread from a module beside the caller (`base` = the caller's import.meta.url). Built, the module
 * is `name.js`. Running from TypeScript sources (tsx, vitest) there is only `name.ts`, so a tiny bootstrap registers
 * tsx's loader inside the thread first (a worker's `--import` flag does not carry loader hooks on Node 20).
 */
export function startThread(base: string, name: string, options: WorkerOptions = {}): Worker {
  const js = new URL(`./${name}.js`, base);
  if (existsSync(fileURLToPath(js))) return new Worker(js, options);
  const ts = new URL(`./${name}.ts`, base).href;
  const boot = `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(ts)}); });`;
  return new Worker(boot, { ...options, eval: true });
}
