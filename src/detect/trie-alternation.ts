/**
 * An alternation of `terms` factored into a trie (`ap(?:ple|ricot)|banana`), so V8 follows one branch per
 * character instead of trying every term at every position, and no two alternatives can match the same text
 * (linear for any number of terms; redos-detector agrees). `escape` turns one character into expression source.
 */
export function trieSource(terms: readonly string[], escape: (ch: string) => string): string {
  interface TrieNode {
    end: boolean;
    next: Map<string, TrieNode>;
  }
  const root: TrieNode = { end: false, next: new Map() };
  for (const term of terms) {
    let node = root;
    for (const ch of term) {
      let child = node.next.get(ch);
      if (!child) {
        child = { end: false, next: new Map() };
        node.next.set(ch, child);
      }
      node = child;
    }
    node.end = true;
  }
  const render = (node: TrieNode): string => {
    const branches = [...node.next.entries()].map(([ch, child]) => escape(ch) + render(child));
    if (branches.length === 0) return '';
    const body = branches.length === 1 ? (branches[0] as string) : `(?:${branches.join('|')})`;
    return node.end ? `(?:${body})?` : body;
  };
  return `(?:${render(root)})`;
}
