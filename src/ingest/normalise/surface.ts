import type { Surface } from '../../contracts/canonical.js';

/**
 * `service.name` → surface (reference §1.4, §2.2, §2.3, §2.6): claude-code (terminal) and claude-code-desktop
 * (Desktop's Code tab) are Claude Code; cowork is Cowork; claude-desktop is the Desktop app's own stream;
 * office-agent is the Office add-ins. A `claude_cowork.` event prefix also marks Cowork.
 */
export function surfaceOf(serviceName: string | null, eventPrefix?: string | null): Surface {
  switch (serviceName) {
    case 'claude-code':
    case 'claude-code-desktop':
      return eventPrefix === 'claude_cowork' ? 'cowork' : 'claude_code';
    case 'cowork':
    case 'claude-cowork':
      return 'cowork';
    case 'claude-desktop':
      return 'desktop';
    case 'office-agent':
      return 'office';
    default:
      if (eventPrefix === 'claude_cowork') return 'cowork';
      if (eventPrefix === 'claude_code') return 'claude_code';
      return 'api';
  }
}
