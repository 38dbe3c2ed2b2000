/**
 * What the detectors (src/detect) report and what the policy engine (src/policy) and the enforcement points
 * (src/enforce) consume. Plain types shared across layers: detectors never import policy, policy never runs
 * detectors — the caller scans, then hands the findings to the evaluator.
 */

/** Content classes a finding can belong to; policies match on these (`content: [secret, personal]`). */
export const contentClasses = ['secret', 'personal', 'financial', 'organisation', 'hidden_text', 'injection'] as const;
export type ContentClass = (typeof contentClasses)[number];

/**
 * Detector types. Names are stable identifiers: they appear in stored findings, in policy conditions
 * (`types: [aws_access_key_id]`), in redaction placeholders (`[REDACTED:aws_secret_access_key:1]`) and in
 * `steward detect --format jsonl` output.
 */
export const detectorTypes = {
  // Secrets
  anthropic_api_key: 'secret',
  anthropic_admin_key: 'secret',
  openai_api_key: 'secret',
  aws_access_key_id: 'secret',
  aws_secret_access_key: 'secret',
  gcp_service_account: 'secret',
  google_api_key: 'secret',
  azure_storage_key: 'secret',
  azure_client_secret: 'secret',
  github_token: 'secret',
  gitlab_token: 'secret',
  slack_token: 'secret',
  slack_webhook: 'secret',
  stripe_key: 'secret',
  private_key: 'secret',
  jwt: 'secret',
  database_url_password: 'secret',
  generic_secret: 'secret',
  // Personal data
  email: 'personal',
  phone: 'personal',
  us_ssn: 'personal',
  uk_nino: 'personal',
  ipv4: 'personal',
  ipv6: 'personal',
  // Financial data
  payment_card: 'financial',
  iban: 'financial',
  aba_routing: 'financial',
  // Organisation dictionaries and patterns from policy
  org_term: 'organisation',
  classification_label: 'organisation',
  // Hidden or hostile text
  zero_width: 'hidden_text',
  bidi_control: 'hidden_text',
  unicode_tag: 'hidden_text',
  ansi_escape: 'hidden_text',
  // Prompt injection markers
  prompt_injection: 'injection',
} as const satisfies Record<string, ContentClass>;
export type DetectorType = keyof typeof detectorTypes;

/** Outcome of a type's validator (Luhn, mod-97, SSN rules, ABA checksum, …); `none` where the type has none. */
export type ValidatorResult = 'valid' | 'invalid' | 'none';

export interface Finding {
  type: DetectorType;
  class: ContentClass;
  /** UTF-16 offsets into the scanned text, `end` exclusive: the secret or datum itself, never its label. */
  start: number;
  end: number;
  /** 0..1; raised by context words ("card", "ssn", "password"), lowered for weak shapes. */
  confidence: number;
  validator: ValidatorResult;
  /** A documented vendor example value (AWS's AKIAIOSFODNN7EXAMPLE, test card numbers…): reported, not a secret. */
  example?: boolean;
  /** For organisation findings: the dictionary or rule name from the policy that matched. */
  rule?: string;
}

/** Organisation-specific detection from policy: dictionaries of terms and extra regular expressions. */
export interface OrganisationPatterns {
  /** Name → terms matched case-insensitively on word boundaries (project code names, customer names). */
  dictionaries?: Record<string, readonly string[]>;
  /** Name → regular expression source (checked for linear-time safety when the policy loads). */
  patterns?: Record<string, string>;
  /** Data-classification labels such as CONFIDENTIAL, INTERNAL ONLY. */
  classificationLabels?: readonly string[];
}
