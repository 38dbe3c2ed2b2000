/**
 * Each server of the gateway benchmark (the mock upstream, the bare proxy, Steward, Portkey) runs as its own child
 * process: its CPU time, event loop and memory are its own and can be read from /proc, and none of them shares an
 * event loop with the load generator. Only processes started here are ever stopped, by their pid.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

export interface ArmProcess {
  pid: number;
  /** The port it listens on (announced on stdout as {"port":N}, or chosen beforehand and given to it). */
  port: number;
  /** The last 20 KB of its stderr (shown when it fails). */
  stderr(): string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

interface StartOptions {
  command: string;
  args: string[];
  cwd?: string;
  env?: Record<string, string>;
  /** Known port; otherwise the child announces it as a {"port":N} line on stdout. */
  port?: number;
  /** Ready when this URL answers (any status below 500); otherwise when the port is announced. */
  readyUrl?: (port: number) => string;
  name: string;
}

export async function startProcess(o: StartOptions): Promise<ArmProcess> {
  const child: ChildProcess = spawn(o.command, o.args, {
    cwd: o.cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...o.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (c: string) => (err = (err + c).slice(-20_000)));
  let exit: number | null | undefined;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code) => {
      exit = code;
      resolve();
    }),
  );
  const announced = new Promise<number>((resolve) => {
    let out = '';
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (c: string) => {
      if (out.length > 100_000) return; // a chatty child (Portkey's banner): only its first lines matter
      out += c;
      const m = /\{"port":(\d+)\}/.exec(out);
      if (m) resolve(Number(m[1]));
    });
  });
  const fail = (why: string): never => {
    child.kill('SIGTERM');
    throw new Error(`${o.name} ${why} (exit ${String(exit)}):\n${err}`);
  };
  let port = o.port;
  if (port === undefined) {
    port = await Promise.race([announced, exited.then(() => -1), sleep(30_000).then(() => -2)]);
    if (port < 0) fail('did not announce its port');
  }
  if (o.readyUrl) {
    const url = o.readyUrl(port!);
    for (let i = 0; ; i++) {
      const ok = await fetch(url).then(
        (r) => r.status < 500,
        () => false,
      );
      if (ok) break;
      if (exit !== undefined || i > 300) fail('did not become ready');
      await sleep(100);
    }
  }
  return {
    pid: child.pid!,
    port: port!,
    stderr: () => err,
    async stop() {
      if (exit === undefined) child.kill('SIGTERM');
      await Promise.race([exited, sleep(5_000)]);
      if (exit === undefined) child.kill('SIGKILL');
    },
  };
}

/** A TypeScript entry point in bench/gateway run by Node with the tsx loader (the same code, no build step). */
export function tsEntry(file: string, args: string[] = []): { command: string; args: string[] } {
  return { command: process.execPath, args: ['--import', 'tsx', join(here, file), ...args] };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface ProcStats {
  /** Resident set now and its peak so far (VmHWM), MB. */
  rssMb: number;
  peakRssMb: number;
  /** User + system CPU time of all its threads, ms. */
  cpuMs: number;
}

export function procStats(pid: number): ProcStats {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]); // utime + stime, in 1/100 s (USER_HZ)
  return { rssMb: Math.round(kb('VmRSS') / 1024), peakRssMb: Math.round(kb('VmHWM') / 1024), cpuMs: ticks * 10 };
}
