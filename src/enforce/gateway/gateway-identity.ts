import type { IdentityHints } from '../../contracts/canonical.js';
import type { DecisionSubject } from '../../contracts/policy-decision.js';
import type { GatewayPrincipal } from '../../identity/gateway-keys.js';
import type { SubjectDirectory } from '../subject-directory.js';

export interface Who {
  subject: DecisionSubject;
  identity: IdentityHints | null;
}

/** What Claude Code's request says about where it runs (messages-body.ts `claudeCode`). */
export interface ClaudeCodeOrigin {
  sessionId: string | null;
  deviceId: string | null;
}

/**
 * Who a gateway request is for, for the policy's subject conditions, the recorded decision and the metered event.
 *
 * - A person key names its person by email. Claude Code's install id (`metadata.user_id.device_id`, the `user.id` of
 *   its telemetry; claude-code-observed.md §2) joins that person's aliases when no one holds it yet, so the install's
 *   telemetry — which carries an email only when the person signed in with claude.ai — lands on the same person. An
 *   install already tied to another person is left alone: on a shared machine two people must not be merged.
 * - An agent or app key has no person of its own: the person is the one behind the Claude Code session or install,
 *   when telemetry (or an earlier person-key request) has tied it to someone.
 */
export async function gatewayWho(
  subjects: SubjectDirectory,
  principal: GatewayPrincipal,
  origin: ClaudeCodeOrigin,
  time: number,
): Promise<Who> {
  if (principal.kind !== 'person') {
    if (!origin.sessionId && !origin.deviceId) return { subject: {}, identity: null };
    const behind = await subjects.forSession(origin.sessionId, origin.deviceId, time);
    // An install nobody is known behind yet names nobody: the agent's request must not create a person.
    return behind.subject.personId ? behind : { subject: {}, identity: null };
  }
  const who = await subjects.forEmail(principal.subject, time);
  if (!origin.deviceId || !who.identity) return who;
  const install = await subjects.forSession(null, origin.deviceId, time);
  if (install.subject.personId !== undefined) return who; // already someone's (this person's, or another's)
  const alias = { kind: 'user.id' as const, value: origin.deviceId };
  return {
    subject: who.subject,
    identity: {
      ...who.identity,
      key: `${who.identity.key}|user.id=${alias.value}`,
      aliases: [...who.identity.aliases, alias],
    },
  };
}
