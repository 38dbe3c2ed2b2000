import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SERVE_NODE_FLAGS } from './serve-node-flags.js';

const root = new URL('../../', import.meta.url);

describe('the V8 options the server runs with', () => {
  it('are on npm start, on the shebang of bin/steward.js, and nowhere different', () => {
    const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.start).toBe(`node ${SERVE_NODE_FLAGS.join(' ')} bin/steward.js serve`);
    const shebang = readFileSync(new URL('bin/steward.js', root), 'utf8').split('\n')[0];
    // `env -S` splits the rest of the line into arguments (coreutils ≥ 8.30, BSD/macOS env, npm's cmd-shim).
    expect(shebang).toBe(`#!/usr/bin/env -S node ${SERVE_NODE_FLAGS.join(' ')}`);
  });
});
