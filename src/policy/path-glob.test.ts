import { describe, expect, it } from 'vitest';
import { compilePathGlob, normalisePath, pathMatches } from './path-glob.js';

describe('path globs', () => {
  it('normalises paths lexically', () => {
    expect(normalisePath('/a/./b/../c//d')).toBe('/a/c/d');
    expect(normalisePath('/../etc')).toBe('/etc');
    expect(normalisePath('./x/../../y')).toBe('../y');
    expect(normalisePath('C:\\Users\\ann\\x')).toBe('C:/Users/ann/x');
  });

  it('reads the four anchors as Claude Code does', () => {
    expect(compilePathGlob('//etc/**').anchor).toBe('root');
    expect(compilePathGlob('~/.ssh/*').anchor).toBe('home');
    expect(compilePathGlob('/src/**').anchor).toBe('project');
    expect(compilePathGlob('./src/**').anchor).toBe('cwd');
    expect(compilePathGlob('*.env')).toMatchObject({ anchor: 'cwd', floating: true });
    expect(compilePathGlob('src/*.ts')).toMatchObject({ anchor: 'cwd', floating: false });
  });

  it.each([
    ['src/*.ts', '/p/src/a.ts', true],
    ['src/*.ts', '/p/src/a/b.ts', false],
    ['src/**/*.ts', '/p/src/a.ts', true],
    ['src/**/*.ts', '/p/src/a/b/c.ts', true],
    ['**/node_modules/**', '/p/a/node_modules/x/y.js', true],
    ['*.env', '/p/deep/er/x.env', true],
    ['data/', '/p/data/file.csv', true],
    ['file?.txt', '/p/file1.txt', true],
    ['file[0-9].txt', '/p/file7.txt', true],
    ['file[!0-9].txt', '/p/file7.txt', false],
  ])('%s vs %s → %s', (glob, path, expected) => {
    expect(pathMatches(compilePathGlob(glob), path, ['/p'], false)).toBe(expected);
  });

  it('checks every project folder', () => {
    const g = compilePathGlob('/secrets/**');
    expect(pathMatches(g, '/b/secrets/k', ['/a', '/b'], false)).toBe(true);
  });
});
