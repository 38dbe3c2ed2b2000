import type { ContentClass, DetectorType } from '../contracts/detection.js';
import type { DecisionStage, PolicyAction } from '../contracts/policy-decision.js';

/**
 * The words a person reads when a policy stops or warns them (the "education moment", DESIGN §1): say what was
 * found in plain language, what to do instead, and where the acceptable-use policy is. Never the content itself.
 */
const TYPE_LABELS: Record<DetectorType, string> = {
  anthropic_api_key: 'an Anthropic API key',
  anthropic_admin_key: 'an Anthropic admin key',
  openai_api_key: 'an OpenAI API key',
  aws_access_key_id: 'an AWS access key ID',
  aws_secret_access_key: 'an AWS secret access key',
  gcp_service_account: 'a Google Cloud service-account key',
  google_api_key: 'a Google API key',
  azure_storage_key: 'an Azure storage key',
  azure_client_secret: 'an Azure client secret',
  github_token: 'a GitHub token',
  gitlab_token: 'a GitLab token',
  slack_token: 'a Slack token',
  slack_webhook: 'a Slack webhook URL',
  stripe_key: 'a Stripe key',
  private_key: 'a private key',
  jwt: 'a JSON Web Token',
  database_url_password: 'a database password',
  generic_secret: 'a password or secret',
  email: 'an email address',
  phone: 'a phone number',
  us_ssn: 'a US Social Security number',
  uk_nino: 'a UK National Insurance number',
  ipv4: 'an IP address',
  ipv6: 'an IP address',
  payment_card: 'a payment card number',
  iban: 'a bank account number (IBAN)',
  aba_routing: 'a bank routing number',
  org_term: 'an internal name',
  classification_label: 'a data-classification label',
  zero_width: 'invisible characters',
  bidi_control: 'text-direction control characters',
  unicode_tag: 'hidden Unicode tag characters',
  ansi_escape: 'terminal escape sequences',
  prompt_injection: 'instructions aimed at the assistant',
};

const CLASS_LABELS: Record<ContentClass, string> = {
  secret: 'credentials',
  personal: 'personal data',
  financial: 'financial data',
  organisation: 'internal information',
  hidden_text: 'hidden text',
  injection: 'possible prompt injection',
};

export const messagePlaceholders = ['types', 'classes', 'tool', 'rule', 'aup'] as const;

export interface MessageFacts {
  action: PolicyAction;
  stage: DecisionStage;
  ruleId: string | null;
  tool: string | null;
  types: readonly DetectorType[];
  classes: readonly ContentClass[];
  aup: string | null;
}

/** "an AWS access key ID and an email address" — distinct labels, in the order found. */
export function describeTypes(types: readonly DetectorType[]): string {
  return joinWords([...new Set(types.map((t) => TYPE_LABELS[t]))]);
}

function joinWords(words: readonly string[]): string {
  if (words.length <= 1) return words[0] ?? '';
  return `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
}

function subject(f: MessageFacts): string {
  switch (f.stage) {
    case 'prompt':
      return 'your prompt';
    case 'tool_call':
      return f.tool ? `this ${f.tool} call` : 'this tool call';
    case 'tool_result':
      return f.tool ? `the result of ${f.tool}` : 'this tool result';
    case 'model_request':
      return 'this request to the model';
    case 'model_response':
      return "the model's response";
    case 'session_start':
      return 'this session';
  }
}

/** The kind default when a rule has no message of its own. */
export function defaultMessage(f: MessageFacts): string {
  const what = subject(f);
  const found = describeTypes(f.types);
  const secret = f.classes.includes('secret');
  let m: string;
  switch (f.action) {
    case 'deny':
      m = found
        ? `Steward stopped ${what} because it contains ${found}.` +
          (secret
            ? ' Credentials must never be shared with an AI assistant: remove it, rotate it if it is real, and refer to it through an environment variable or a secret manager instead.'
            : ' Please remove it and try again.')
        : `Steward stopped ${what}: your organisation's AI policy does not allow it (rule ${f.ruleId ?? 'default'}).`;
      break;
    case 'ask':
      m = `${capitalise(what)} needs your confirmation under your organisation's AI policy (rule ${f.ruleId ?? 'default'}). Check it is what you intended before you approve it.`;
      break;
    case 'redact':
      m = found
        ? `${capitalise(found)} in ${what} ${found.includes(' and ') ? 'were' : 'was'} replaced with a placeholder before it reached the model.`
        : `Sensitive parts of ${what} were replaced with placeholders before it reached the model.`;
      break;
    case 'warn':
      m = found
        ? `Heads up: ${what} contains ${found}. It was allowed, but please make sure it is appropriate to share with an AI assistant.`
        : `Heads up: ${what} is covered by your organisation's AI policy (rule ${f.ruleId ?? 'default'}).`;
      break;
    case 'allow':
      return '';
  }
  return f.aup ? `${m} See the acceptable-use policy: ${f.aup}` : m;
}

/** A rule's own message with its placeholders filled; the acceptable-use link is added when not already there. */
export function renderMessage(template: string, f: MessageFacts): string {
  const values: Record<string, string> = {
    types: describeTypes(f.types) || 'nothing specific',
    classes: joinWords([...new Set(f.classes.map((c) => CLASS_LABELS[c]))]) || 'nothing specific',
    tool: f.tool ?? 'this tool',
    rule: f.ruleId ?? 'default',
    aup: f.aup ?? 'your acceptable-use policy',
  };
  const out = template.replace(/\{(\w+)\}/g, (m, name: string) => values[name] ?? m);
  return f.aup && !template.includes('{aup}') && !out.includes(f.aup)
    ? `${out} See the acceptable-use policy: ${f.aup}`
    : out;
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
