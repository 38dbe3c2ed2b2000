/**
 * A small RFC 5545 structure check: CRLF line endings only, physical lines ≤ 75 octets, folded lines unfold to
 * content lines `NAME[;params]:value`, BEGIN/END nest. Returns the components with their properties, for tests to
 * check the required ones (VERSION, PRODID; UID, DTSTAMP, DTSTART, RRULE, SUMMARY).
 */
export function parseIcs(text: string): { name: string; props: Map<string, string>; children: unknown[] }[] {
  if (!text.endsWith('\r\n')) throw new Error('does not end with CRLF');
  const physical = text.slice(0, -2).split('\r\n');
  for (const line of physical) {
    if (/[\r\n]/.test(line)) throw new Error(`bare CR or LF in ${JSON.stringify(line)}`);
    if (Buffer.byteLength(line, 'utf8') > 75) throw new Error(`line longer than 75 octets: ${line}`);
  }
  const logical: string[] = [];
  for (const line of physical) {
    if (line.startsWith(' ') || line.startsWith('\t')) logical[logical.length - 1] += line.slice(1);
    else logical.push(line);
  }
  type Component = { name: string; props: Map<string, string>; children: Component[] };
  const root: Component = { name: 'ROOT', props: new Map(), children: [] };
  const stack = [root];
  for (const line of logical) {
    const m = /^([A-Z][A-Z0-9-]*)((?:;[^:]*)?):(.*)$/.exec(line);
    if (!m) throw new Error(`not a content line: ${line}`);
    const [, name, , value] = m as unknown as [string, string, string, string];
    const top = stack[stack.length - 1]!;
    if (name === 'BEGIN') {
      const child: Component = { name: value, props: new Map(), children: [] };
      top.children.push(child);
      stack.push(child);
    } else if (name === 'END') {
      if (top.name !== value) throw new Error(`END:${value} closes ${top.name}`);
      stack.pop();
    } else top.props.set(name, value);
  }
  if (stack.length !== 1) throw new Error('unclosed component');
  return root.children;
}
