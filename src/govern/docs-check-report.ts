import { docsRules, type DocsFinding, type DocsRuleId } from './docs-check-rules.js';

/** `steward check docs` output: text (one line per finding), JSON, and SARIF 2.1.0 for code-scanning tools. */
export const docsFormats = ['text', 'json', 'sarif'] as const;
export type DocsFormat = (typeof docsFormats)[number];

export interface DocsSummary {
  errors: number;
  warnings: number;
  notes: number;
}

export function summarise(findings: readonly DocsFinding[]): DocsSummary {
  return {
    errors: findings.filter((f) => f.level === 'error').length,
    warnings: findings.filter((f) => f.level === 'warning').length,
    notes: findings.filter((f) => f.level === 'note').length,
  };
}

export function renderDocsReport(
  format: DocsFormat,
  findings: readonly DocsFinding[],
  roots: readonly string[],
  toolVersion: string,
): string {
  if (format === 'json') return JSON.stringify(jsonReport(findings, roots), null, 2) + '\n';
  if (format === 'sarif') return JSON.stringify(sarifReport(findings, toolVersion), null, 2) + '\n';
  return textReport(findings, roots);
}

function textReport(findings: readonly DocsFinding[], roots: readonly string[]): string {
  const lines = findings.map((f) => `${f.path}:${f.line}: ${f.level}: ${f.message} [${f.ruleId}]`);
  const s = summarise(findings);
  const where = `${roots.length} folder${roots.length === 1 ? '' : 's'}`;
  lines.push(
    findings.length === 0
      ? `no findings in ${where}`
      : `${s.errors} error(s), ${s.warnings} warning(s), ${s.notes} note(s) in ${where}`,
  );
  return lines.join('\n') + '\n';
}

function jsonReport(findings: readonly DocsFinding[], roots: readonly string[]): object {
  return { checked: roots, summary: summarise(findings), findings };
}

/** SARIF 2.1.0 (OASIS): one run, every rule declared on the driver, results pointing at file and line. */
export function sarifReport(findings: readonly DocsFinding[], toolVersion: string): object {
  const ids = Object.keys(docsRules) as DocsRuleId[];
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'steward',
            version: toolVersion,
            rules: ids.map((id) => ({
              id,
              name: id.replace(/(^|-)([a-z])/g, (_m: string, _d: string, c: string) => c.toUpperCase()),
              shortDescription: { text: docsRules[id].description },
              defaultConfiguration: { level: docsRules[id].level },
            })),
          },
        },
        results: findings.map((f) => ({
          ruleId: f.ruleId,
          ruleIndex: ids.indexOf(f.ruleId),
          level: f.level,
          message: { text: f.message },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: toUri(f.path) },
                region: { startLine: Math.max(1, f.line) },
              },
            },
          ],
        })),
      },
    ],
  };
}

/** A relative path stays relative (SARIF resolves it against the repository); an absolute one becomes file://. */
export function toUri(path: string): string {
  const posixPath = path.replace(/\\/g, '/').replace(/^\.\//, '');
  const encoded = posixPath
    .split('/')
    .map((s) => encodeURIComponent(s))
    .join('/');
  if (/^[A-Za-z]:\//.test(posixPath)) return `file:///${encoded.replace('%3A', ':')}`;
  return posixPath.startsWith('/') ? `file://${encoded}` : encoded;
}
