import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { GroupCommitQueue } from '../ingest/group-commit.js';
import type { Store } from '../store/store.js';
import { ActivePolicy, type PolicyText } from './active-policy.js';
import { DecisionRecorder } from './decision-record.js';
import { ClaudeCodeHooks } from './hooks/claude-code-hooks.js';
import { InferenceHooks } from './inference/inference-hooks.js';
import { SubjectDirectory } from './subject-directory.js';

/** The enforcement points of one Steward process, sharing one active policy, one subject cache and one recorder. */
export interface Enforcement {
  policies: ActivePolicy;
  recorder: DecisionRecorder;
  claudeCode: ClaudeCodeHooks;
  inference: InferenceHooks;
}

export function createEnforcement(
  config: Config,
  deps: { store: Store; queue: GroupCommitQueue; logger: Logger; defaultPolicy: () => PolicyText },
): Enforcement {
  const { logger } = deps;
  // Errors are logged without the request: hook bodies hold prompts and tool inputs.
  const onError = (err: unknown, what: string) => logger.warn({ err }, `enforcement: ${what} failed`);
  const policies = new ActivePolicy(deps.store, config.enforce.policyRefreshMs, deps.defaultPolicy, (err) =>
    onError(err, 'policy load'),
  );
  const subjects = new SubjectDirectory(deps.store);
  const recorder = new DecisionRecorder(deps.queue, (err) => onError(err, 'recording a decision'));
  return {
    policies,
    recorder,
    claudeCode: new ClaudeCodeHooks(policies, subjects, recorder, config.enforce, onError),
    inference: new InferenceHooks(policies, subjects, recorder, config.enforce, onError),
  };
}
