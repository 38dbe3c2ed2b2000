import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isSafe } from 'redos-detector';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { injectionExpressions } from './injection.js';

const here = dirname(fileURLToPath(import.meta.url));

/** Every regular-expression literal in the detectors' source (not tests), found with the TypeScript parser. */
function literalExpressions(): { file: string; re: RegExp }[] {
  const out: { file: string; re: RegExp }[] = [];
  for (const file of readdirSync(here)) {
    if (!file.endsWith('.ts') || file.endsWith('.test.ts')) continue;
    const source = ts.createSourceFile(file, readFileSync(join(here, file), 'utf8'), ts.ScriptTarget.Latest, true);
    const visit = (node: ts.Node): void => {
      if (node.kind === ts.SyntaxKind.RegularExpressionLiteral) {
        const text = node.getText(source);
        const last = text.lastIndexOf('/');
        out.push({ file, re: new RegExp(text.slice(1, last), text.slice(last + 1)) });
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return out;
}

/** Files allowed to build expressions at run time: the built ones are exported and checked below. */
const DYNAMIC = new Set(['injection-phrases.ts', 'organisation.ts', 'linear-regex.ts', 'trie-alternation.ts']);

describe('every built-in expression runs in linear time (redos-detector)', () => {
  const literals = literalExpressions();

  it('finds the rule set', () => {
    expect(literals.length).toBeGreaterThan(40);
  });

  it.each(literals.map((l) => [l.file, l.re.source, l.re] as const))('%s: /%s/', (_file, _source, re) => {
    const result = isSafe(re);
    expect(result.safe, `score ${JSON.stringify(result.score)} error ${result.error}`).toBe(true);
  });

  // The injection keys' trie (31 literals) needs more analysis steps than the default 20,000 to be proven safe;
  // the score limit (200) stays the default.
  it.each(injectionExpressions.map((re) => [re.source.slice(0, 80), re] as const))('built: /%s…/', (_source, re) => {
    const result = isSafe(re, { maxSteps: 100_000 });
    expect(result.safe, `score ${JSON.stringify(result.score)} error ${result.error}`).toBe(true);
  });

  it('builds expressions at run time only where they are checked', () => {
    for (const file of readdirSync(here)) {
      if (!file.endsWith('.ts') || file.endsWith('.test.ts') || DYNAMIC.has(file)) continue;
      expect(readFileSync(join(here, file), 'utf8'), file).not.toMatch(/new RegExp\(/);
    }
  });
});
