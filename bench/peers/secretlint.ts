/**
 * secretlint 13 (@secretlint/core + the recommended preset) as a peer for bench/detect.bench.ts. It is installed on
 * demand into bench/peers/secretlint/node_modules, outside the root package: it declares node >= 22, runs on
 * Node 20, and the root .npmrc is engine-strict.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { DetectorType } from '../../src/contracts/detection.js';

const dir = join(dirname(fileURLToPath(import.meta.url)), 'secretlint');

export interface PeerFinding {
  type: DetectorType | 'other';
  start: number;
  end: number;
}

export interface SecretlintPeer {
  version: string;
  lint(text: string): Promise<PeerFinding[]>;
}

/**
 * secretlint rule (and message) → the Steward type it reports; rules without a counterpart count as 'other'.
 * Notes for reading the comparison: its GCP rule reports only a file that parses as service-account JSON as a whole
 * (a key pasted into a prompt or a log is not); its private-key rule needs the RSA/DSA/EC/OPENSSH/PGP labels (not
 * `ENCRYPTED PRIVATE KEY`) and reports keys inside service-account JSON as private keys; its AWS secret range starts
 * at the variable name and is as long as the value.
 */
const TYPE_OF: Record<string, DetectorType> = {
  'aws:AWSAccessKeyID': 'aws_access_key_id',
  'aws:AWSSecretAccessKey': 'aws_secret_access_key',
  anthropic: 'anthropic_api_key',
  openai: 'openai_api_key',
  github: 'github_token',
  gitlab: 'gitlab_token',
  'slack:SLACK_TOKEN': 'slack_token',
  'slack:IncomingWebhook': 'slack_webhook',
  stripe: 'stripe_key',
  gcp: 'gcp_service_account',
  privatekey: 'private_key',
  'database-connection-string': 'database_url_password',
  basicauth: 'database_url_password',
};

/**
 * The Steward types secretlint's recommended preset scans for as configured here (defaults). Its AWS rule reports
 * access key ids only with `enableIDScanRule`, off by default, so that type is not counted as covered.
 */
export const secretlintCovers: ReadonlySet<DetectorType> = new Set(
  Object.values(TYPE_OF).filter((type) => type !== 'aws_access_key_id'),
);

export async function loadSecretlint(): Promise<SecretlintPeer> {
  if (!existsSync(join(dir, 'node_modules', '@secretlint', 'core'))) {
    process.stderr.write('installing secretlint 13 into bench/peers/secretlint …\n');
    execFileSync('npm', ['install', '--prefix', dir, '--engine-strict=false', '--no-audit', '--no-fund'], {
      stdio: 'inherit',
    });
  }
  const load = (path: string): Promise<Record<string, unknown>> =>
    import(pathToFileURL(join(dir, 'node_modules', path)).href);
  const core = await load('@secretlint/core/module/index.js');
  const preset = await load('@secretlint/secretlint-rule-preset-recommend/module/index.js');
  const profiler = await load('@secretlint/profiler/module/node.js');
  (profiler.secretLintProfiler as { setEnabled(on: boolean): void }).setEnabled(false);
  const lintSource = core.lintSource as (
    args: unknown,
  ) => Promise<{ messages: { ruleId: string; messageId: string; range: [number, number] }[] }>;
  const config = { rules: [{ id: '@secretlint/secretlint-rule-preset-recommend', rule: preset.creator }] };
  const { version } = JSON.parse(readFileSync(join(dir, 'node_modules', 'secretlint', 'package.json'), 'utf8')) as {
    version: string;
  };
  return {
    version,
    async lint(text) {
      const result = await lintSource({
        source: { filePath: '/bench/document.txt', content: text, ext: '.txt', contentType: 'text' },
        options: { config, maskSecrets: false },
      });
      return result.messages.map((m) => {
        const rule = m.ruleId.replace('@secretlint/secretlint-rule-', '');
        return {
          type: TYPE_OF[`${rule}:${m.messageId}`] ?? TYPE_OF[rule] ?? 'other',
          start: m.range[0],
          end: m.range[1],
        };
      });
    },
  };
}
