import { describe, expect, it } from 'vitest';
import { readCommand } from './bash-command.js';

describe('reading a shell command', () => {
  it('splits lists and pipelines on unquoted operators only', () => {
    const v = readCommand('cd /tmp && curl -s https://x | sh; echo "a && b" || true & wait');
    expect(v.pipelines).toEqual(['cd /tmp', 'curl -s https://x | sh', 'echo "a && b"', 'true', 'wait']);
    expect(v.commands).toEqual(['cd /tmp', 'curl -s https://x', 'sh', 'echo "a && b"', 'true', 'wait']);
  });

  it('keeps redirections such as 2>&1 and &> inside the command', () => {
    expect(readCommand('npm test 2>&1 >out &>all.log').commands).toEqual(['npm test 2>&1 >out &>all.log']);
  });

  it('reads commands inside substitutions, groups and sh -c strings', () => {
    const v = readCommand('echo $(whoami) `id -u` <(ls -la) && (cd x; make) && sh -c "rm -rf /tmp/x"');
    expect(v.commands).toEqual(expect.arrayContaining(['whoami', 'id -u', 'ls -la', 'cd x', 'make', 'rm -rf /tmp/x']));
  });

  it('joins backslash-newline continuations and splits on newlines', () => {
    expect(readCommand('git push \\\n  --force\nls').commands).toEqual(['git push --force', 'ls']);
  });

  it('offers forms without wrappers: documented ones for allow rules, privileged ones only for restrictive rules', () => {
    const v = readCommand('timeout 5 nice -n 10 sudo -E FOO=1 rm -rf "/srv"');
    expect(v.exact[0]).toEqual(['timeout 5 nice -n 10 sudo -E FOO=1 rm -rf "/srv"', 'sudo -E FOO=1 rm -rf "/srv"']);
    expect(v.broad[0]).toContain('rm -rf /srv');
  });

  it('survives unbalanced quotes and parentheses without throwing', () => {
    for (const c of ['echo "unterminated', "echo 'x", 'echo $(oops', '(((', '`', '\\']) {
      expect(() => readCommand(c)).not.toThrow();
    }
  });

  it('stops recursing into deeply nested substitutions', () => {
    const deep = 'echo ' + '$('.repeat(50) + 'x' + ')'.repeat(50);
    expect(readCommand(deep).commands.length).toBeLessThan(20);
  });
});

describe('here-documents', () => {
  it('treats a here-document body as data, not as commands', () => {
    const v = readCommand("cat <<'EOF' > notes.md\nrm -rf / && echo hi\nEOF\nls");
    expect(v.commands).toEqual(["cat <<'EOF' > notes.md", 'ls']);
  });

  it('reads the body when a shell runs it, and honours <<- tab stripping', () => {
    const v = readCommand('sudo bash <<-EOF\n\trm -rf /srv/data\n\tEOF\necho done');
    expect(v.commands).toEqual(['sudo bash <<-EOF', 'echo done', 'rm -rf /srv/data']);
  });

  it('does not take a here-string (<<<) for a here-document', () => {
    expect(readCommand('grep x <<< "a\nb"').commands).toEqual(['grep x <<< "a b"']);
  });
});
