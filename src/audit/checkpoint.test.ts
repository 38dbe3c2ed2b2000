import { describe, expect, it } from 'vitest';
import { CheckpointError, formatCheckpoint, parseCheckpoint } from './checkpoint.js';
import { EMPTY_ROOT } from './merkle.js';
import { generateNoteKey, parseSignerKey, signNote, verifyNote } from './signed-note.js';

// The example of c2sp.org/tlog-checkpoint.
const EXAMPLE = 'example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n';

describe('checkpoints (c2sp.org/tlog-checkpoint)', () => {
  it('parses the spec example and writes it back identically', () => {
    const cp = parseCheckpoint(EXAMPLE);
    expect(cp.origin).toBe('example.com/behind-the-sofa');
    expect(cp.size).toBe(20852163);
    expect(cp.root.toString('base64')).toBe('CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=');
    expect(cp.extensions).toEqual([]);
    expect(formatCheckpoint(cp)).toBe(EXAMPLE);
  });

  it('keeps extension lines and the empty tree', () => {
    const text = formatCheckpoint({ origin: 'o', size: 0, root: EMPTY_ROOT, extensions: ['x y'] });
    expect(text).toBe('o\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\nx y\n');
    expect(parseCheckpoint(text).extensions).toEqual(['x y']);
  });

  it('rejects malformed text with the line at fault', () => {
    const cases: [string, RegExp][] = [
      [EXAMPLE.slice(0, -1), /end with a newline/],
      ['o\n1\n', /needs origin, tree size and root/],
      ['\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n', /line 1/],
      ['o\n01\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n', /line 2/],
      ['o\n-1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n', /line 2/],
      ['o\n99999999999999999999\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n', /line 2/],
      ['o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I\n', /line 3/],
      ['o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=A=\n', /line 3/],
      ['o\n1\nAAAA\n', /line 3/],
      ['o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\n', /line 4/],
    ];
    for (const [text, message] of cases) {
      expect(() => parseCheckpoint(text), JSON.stringify(text)).toThrow(CheckpointError);
      expect(() => parseCheckpoint(text)).toThrow(message);
    }
    expect(() => formatCheckpoint({ origin: 'a\nb', size: 1, root: EMPTY_ROOT })).toThrow(CheckpointError);
    expect(() => formatCheckpoint({ origin: 'a', size: 1.5, root: EMPTY_ROOT })).toThrow(CheckpointError);
  });

  it('travels as a signed note', () => {
    const { signerKey, verifierKey } = generateNoteKey('steward.example/audit');
    const text = formatCheckpoint({ origin: 'steward.example/audit', size: 3, root: EMPTY_ROOT });
    const note = signNote(text, [parseSignerKey(signerKey)]);
    expect(parseCheckpoint(verifyNote(note, [verifierKey])!).size).toBe(3);
  });
});
