import { z } from 'zod';
import { contentClasses, detectorTypes, type DetectorType } from '../../contracts/detection.js';
import { decisionStages, policyActions } from '../../contracts/policy-decision.js';
import { decidedEvents } from './hook-events.js';
import { MAX_UPLOAD_DECISIONS, type OfflineDecision } from './offline-decisions.js';

/** The server's check of what `steward hook` spooled offline (offline-decisions.ts): ids and labels, never content. */
const id = z.string().min(1).max(1000);
const detectorTypeNames = Object.keys(detectorTypes) as [DetectorType, ...DetectorType[]];

export const offlineDecisionSchema = z.strictObject({
  id: z.string().min(8).max(100),
  time: z.number().int().nonnegative(),
  hook_event: z.enum(decidedEvents),
  stage: z.enum(decisionStages),
  session_id: id,
  prompt_id: id.nullable(),
  tool_use_id: id.nullable(),
  tool: z.string().max(500).nullable(),
  mcp_server: z.string().max(500).nullable(),
  mcp_tool: z.string().max(500).nullable(),
  action: z.enum(policyActions),
  enforced: z.enum(policyActions),
  rule_id: z.string().max(100).nullable(),
  matched_rules: z.array(z.string().max(100)).max(1000),
  policy_version: z.string().min(1).max(100),
  on_failure: z.enum(['open', 'closed']),
  shadow: z.boolean(),
  detector_types: z.array(z.enum(detectorTypeNames)).max(100),
  content_classes: z.array(z.enum(contentClasses)).max(10),
}) satisfies z.ZodType<OfflineDecision>;

export const offlineUploadSchema = z.strictObject({
  decisions: z.array(offlineDecisionSchema).max(MAX_UPLOAD_DECISIONS),
});
