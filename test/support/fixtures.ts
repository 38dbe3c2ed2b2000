import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../src/version.js';

/** Real Claude Code captures live in ../shared/fixtures beside the repository (see its README). */
export const FIXTURES = join(packageRoot(), '..', 'shared', 'fixtures', 'claude-code');

export function fixtureJson(rel: string): unknown {
  return JSON.parse(readFileSync(join(FIXTURES, rel), 'utf8'));
}

export function fixtureBytes(rel: string): Buffer {
  return readFileSync(join(FIXTURES, rel));
}
