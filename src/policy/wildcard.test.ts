import { describe, expect, it } from 'vitest';
import { compileWildcard, nameMatcher, wildcardMatch } from './wildcard.js';

describe('wildcards', () => {
  it.each([
    ['ls *', 'ls', true],
    ['ls *', 'ls -la', true],
    ['ls *', 'lsof', false],
    ['npm:*', 'npm', true],
    ['npm:*', 'npm i', true],
    ['npm:*', 'npmx', false],
    ['a*b*c', 'abc', true],
    ['a*b*c', 'aXbYc', true],
    ['a*b*c', 'acb', false],
    ['*.md', 'README.md', true],
    ['a\\*b', 'a*b', true],
    ['a\\*b', 'aXb', false],
    ['git * main *', 'git push main', true],
    ['git * main *', 'git push main -f', true],
    ['ab*ba', 'aba', false],
  ])('%s vs %s → %s', (pattern, text, expected) => {
    expect(wildcardMatch(compileWildcard(pattern), text)).toBe(expected);
  });

  it('matches names case-insensitively and never an absent name', () => {
    const m = nameMatcher(['claude-opus-*', 'Sonnet']);
    expect(m('Claude-Opus-4-5')).toBe(true);
    expect(m('sonnet')).toBe(true);
    expect(m('claude-haiku-4')).toBe(false);
    expect(m(null)).toBe(false);
    expect(m('')).toBe(false);
  });
});
