import { describe, expect, it } from 'vitest';
import { isWriteCapable, mcpToolPart } from './write-capable.js';

describe('isWriteCapable', () => {
  it('marks the built-in tools that write', () => {
    for (const t of ['Bash', 'Edit', 'Write', 'NotebookEdit', 'MultiEdit'])
      expect(isWriteCapable({ tool: t })).toBe(true);
    for (const t of ['Read', 'Grep', 'Glob', 'WebFetch', 'Task', 'TodoWrite2x'])
      expect(isWriteCapable({ tool: t })).toBe(false);
  });

  it('judges MCP tools by the words of their tool name', () => {
    expect(isWriteCapable({ tool: 'mcp', mcpServer: 'github', mcpTool: 'create_issue' })).toBe(true);
    expect(isWriteCapable({ mcpTool: 'sendMessage' })).toBe(true);
    expect(isWriteCapable({ mcpTool: 'files.delete' })).toBe(true);
    expect(isWriteCapable({ mcpTool: 'update-record' })).toBe(true);
    expect(isWriteCapable({ mcpTool: 'post_comment' })).toBe(true);
    expect(isWriteCapable({ mcpTool: 'removeLabel' })).toBe(true);
    expect(isWriteCapable({ mcpTool: 'write_file' })).toBe(true);
    expect(isWriteCapable({ mcpTool: 'list_issues' })).toBe(false);
    expect(isWriteCapable({ mcpTool: 'get_postcode' })).toBe(true); // prefix match is deliberately conservative
    expect(isWriteCapable({ mcpTool: 'search_repositories' })).toBe(false);
    expect(isWriteCapable({ mcpTool: 'screate' })).toBe(false);
  });

  it('reads the tool part of mcp__server__tool names, not the server', () => {
    expect(mcpToolPart('mcp__github__create_issue')).toBe('create_issue');
    expect(mcpToolPart('Bash')).toBeNull();
    expect(isWriteCapable({ tool: 'mcp__github__create_issue' })).toBe(true);
    expect(isWriteCapable({ tool: 'mcp__post_office__list_boxes' })).toBe(false);
  });
});
