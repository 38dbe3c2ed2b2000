import { describe, expect, it } from 'vitest';
import { parseSkillMd, skillFields } from './skill-md.js';

const SKILL = [
  '---',
  'name: invoice-triage',
  'description: >',
  '  Sorts incoming invoices',
  '  by supplier.',
  'allowed-tools: Read Grep',
  'metadata:',
  '  owner: ana@example.com',
  '  intended-use: "Finance team triage of supplier invoices"',
  '  inputs:',
  '    - PDF invoices',
  '  outputs: |',
  '    a CSV of invoices',
  '---',
  '# Invoice triage',
  '',
  'Steps.',
].join('\n');

describe('parseSkillMd', () => {
  it('reads frontmatter, body and key lines', () => {
    const parsed = parseSkillMd(SKILL);
    expect(parsed.errors).toEqual([]);
    expect(parsed.frontmatter.name).toBe('invoice-triage');
    expect(parsed.frontmatter.description).toBe('Sorts incoming invoices by supplier.\n');
    expect(parsed.keyLines).toMatchObject({ name: 2, description: 3, metadata: 7 });
    expect(parsed.bodyLine).toBe(15);
    expect(parsed.body.startsWith('# Invoice triage')).toBe(true);
    expect(skillFields(parsed.frontmatter)).toEqual({
      name: 'invoice-triage',
      description: 'Sorts incoming invoices by supplier.',
      intendedUse: 'Finance team triage of supplier invoices',
      inputs: ['PDF invoices'],
      outputs: ['a CSV of invoices'],
      owner: 'ana@example.com',
      version: null,
      allowedTools: ['Read', 'Grep'],
    });
  });

  it('handles CRLF and a BOM', () => {
    const parsed = parseSkillMd('\uFEFF---\r\nname: x\r\nowner: { name: Ana }\r\n---\r\nbody');
    expect(parsed.errors).toEqual([]);
    expect(skillFields(parsed.frontmatter).owner).toBe('Ana');
    expect(parsed.body).toBe('body');
  });

  it('reports a missing, unclosed, non-mapping or invalid frontmatter with its line', () => {
    expect(parseSkillMd('# Just markdown').errors[0]).toMatchObject({
      line: 1,
      message: expect.stringMatching(/no frontmatter/),
    });
    expect(parseSkillMd('---\nname: x\n').errors[0]?.message).toMatch(/not closed/);
    expect(parseSkillMd('---\n- a\n- b\n---\n').errors[0]?.message).toMatch(/mapping/);
    expect(parseSkillMd('---\n---\n').errors[0]?.message).toMatch(/empty/);
    const bad = parseSkillMd('---\nname: x\ndescription: "unterminated\n---\n');
    expect(bad.errors.length).toBeGreaterThan(0);
    expect(bad.errors[0]!.line).toBeGreaterThanOrEqual(3);
    const dup = parseSkillMd('---\nname: x\nname: y\n---\n');
    expect(dup.errors[0]?.line).toBe(3);
  });
});
