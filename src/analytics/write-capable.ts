/**
 * Whether a tool can change things outside the conversation (files, systems, messages). Pure: used by the tool
 * visibility report to mark the tools a governance reviewer looks at first.
 *
 * - Built-in tools that write: Bash, Edit, Write, NotebookEdit, MultiEdit.
 * - MCP tools whose name implies a write: a word (split on `_`, `-`, `.`, `/`, spaces and camelCase) among
 *   write/send/delete/create/update/post/remove, also as a prefix of the word (`writes`, `deleted`, `posting`).
 *   Claude Code names MCP tools `mcp__<server>__<tool>`; only the tool part is judged, so a server called
 *   `post-office` does not make its read tools write-capable.
 */
export const WRITE_BUILTINS: readonly string[] = ['Bash', 'Edit', 'Write', 'NotebookEdit', 'MultiEdit'];
const WRITE_VERBS: readonly string[] = ['write', 'send', 'delete', 'create', 'update', 'post', 'remove'];

function words(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 0);
}

/** The MCP tool part of a tool name (`mcp__server__tool` → `tool`), or null when the name is not an MCP name. */
export function mcpToolPart(tool: string): string | null {
  if (!tool.startsWith('mcp__')) return null;
  const rest = tool.slice(5);
  const i = rest.indexOf('__');
  return i < 0 ? rest : rest.slice(i + 2);
}

export function isWriteCapable(tool: {
  tool?: string | null;
  mcpTool?: string | null;
  mcpServer?: string | null;
}): boolean {
  if (tool.tool && WRITE_BUILTINS.includes(tool.tool)) return true;
  const mcpName = tool.mcpTool ?? (tool.tool ? mcpToolPart(tool.tool) : null);
  if (mcpName === null) return false;
  return words(mcpName).some((w) => WRITE_VERBS.some((v) => w.startsWith(v)));
}
