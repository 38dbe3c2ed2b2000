import { appendFileSync, mkdirSync, readFileSync, renameSync, statSync, unlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ContentClass, DetectorType } from '../../contracts/detection.js';
import type { DecisionStage, PolicyAction } from '../../contracts/policy-decision.js';
import type { DecidedEvent } from './hook-events.js';

/**
 * Decisions `steward hook` takes offline (cached policy, server unreachable) are kept in a small local spool and sent
 * to `POST /hooks/claude-code/decisions` the next time the server answers, so they are recorded too. A spooled record
 * holds what a recorded decision holds — ids, action, rule, detector types — never content. Node builtins only: this
 * runs on the hook's fast path. The spool is bounded (a machine offline for weeks keeps the first decisions) and taken
 * by rename, so concurrent hook processes never send the same lines twice.
 */
export interface OfflineDecision {
  /** Random id: a record sent twice (a lost answer) is stored once. */
  id: string;
  time: number;
  hook_event: DecidedEvent;
  stage: DecisionStage;
  session_id: string;
  prompt_id: string | null;
  tool_use_id: string | null;
  tool: string | null;
  mcp_server: string | null;
  mcp_tool: string | null;
  action: PolicyAction;
  enforced: PolicyAction;
  rule_id: string | null;
  matched_rules: string[];
  policy_version: string;
  on_failure: 'open' | 'closed';
  shadow: boolean;
  detector_types: DetectorType[];
  content_classes: ContentClass[];
}

export const MAX_SPOOL_BYTES = 1024 * 1024;
/** Most records one upload carries (the route accepts this many). */
export const MAX_UPLOAD_DECISIONS = 5_000;

export function spoolPath(cachePath: string): string {
  return join(dirname(cachePath), 'hook-decisions.jsonl');
}

/** Appends one record; false when the spool is full (the record is dropped). */
export function spoolDecision(path: string, d: OfflineDecision): boolean {
  const line = JSON.stringify(d) + '\n';
  let size = 0;
  try {
    size = statSync(path).size;
  } catch {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  }
  if (size + line.length > MAX_SPOOL_BYTES) return false;
  appendFileSync(path, line, { mode: 0o600 });
  return true;
}

/** Takes the spool (atomically) for sending; null when there is none. `giveBack` returns unsent lines. */
export function takeSpool(path: string): { decisions: unknown[]; giveBack: () => void; done: () => void } | null {
  const taken = `${path}.${process.pid}.sending`;
  try {
    renameSync(path, taken);
  } catch {
    return null; // no spool, or another hook process took it
  }
  const text = readFileSync(taken, 'utf8');
  const decisions: unknown[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    try {
      decisions.push(JSON.parse(line));
    } catch {
      // a torn line (crash mid-append): skip it
    }
  }
  return {
    decisions: decisions.slice(0, MAX_UPLOAD_DECISIONS),
    giveBack: () => {
      try {
        appendFileSync(path, text, { mode: 0o600 });
      } finally {
        unlinkSync(taken);
      }
    },
    done: () => unlinkSync(taken),
  };
}
