/**
 * Prompt-injection markers in tool results and fetched content (OWASP LLM01): text addressed to the model
 * instead of the reader. Families: "ignore previous instructions" and its variants; chat-template role tokens
 * (`<|im_start|>system`, `[INST]`, `<<SYS>>`, `<start_of_turn>`, `\n\nHuman:`); concealment ("do not tell the
 * user"); role reassignment ("you are now …", "from now on you …"); new or leaked instructions ("New
 * instructions:", "reveal your system prompt"); notes addressed to an AI ("if you are an AI …"); exfiltration
 * requests ("send the contents of .env to …"). One expression finds every family's keys; around each hit the
 * words are matched against word-sequence patterns (injection-phrases.ts) — no backtracking expression, words
 * read once and each start word tried once per family, so the cost is linear in the text. The span is the marker
 * phrase.
 */
import type { AnchorRule } from './anchors.js';
import { PhraseMatcher, familiesByKey, familyKeys } from './injection-phrases.js';
import { addFinding, type ScanContext } from './scan-context.js';

/** The expression built at run time, for the linear-time check in redos.test.ts. */
export const injectionExpressions: readonly RegExp[] = [familyKeys];

export function detectInjectionPhrases(ctx: ScanContext): void {
  const { text } = ctx;
  const keys = familyKeys;
  keys.lastIndex = 0;
  let covered = -1;
  let phrases: PhraseMatcher | undefined;
  let m: RegExpExecArray | null;
  while ((m = keys.exec(text)) !== null) {
    const hit = m.index;
    if (hit < covered) continue;
    for (const family of familiesByKey.get(m[0].toLowerCase()) ?? []) {
      const found = (phrases ??= new PhraseMatcher(text)).phraseAt(family, hit);
      if (found && found[1] > covered) {
        addFinding(ctx, 'prompt_injection', found[0], found[1], family.confidence);
        covered = found[1];
      }
    }
  }
}

/** Role tokens of chat templates (ChatML, Llama 2/3, Gemma, Anthropic's legacy turns, Alpaca headings). */
const ROLE_TOKEN =
  /<\|(?:im_start|im_end|im_sep|system|user|assistant|endoftext|begin_of_text|end_of_text|start_header_id|end_header_id|eot_id|eom_id|tool_call|tool_response|start|end|channel|message|return)\|>(?:[ \t]{0,2}(?:system|user|assistant|developer|tool)\b)?/y;

function roleAt(ctx: ScanContext, start: number, end: number, confidence: number): number {
  addFinding(ctx, 'prompt_injection', start, end, confidence);
  return end;
}

export const injectionRules: readonly AnchorRule[] = [
  {
    anchor: '<|',
    types: ['prompt_injection'],
    at(ctx, i) {
      ROLE_TOKEN.lastIndex = i;
      const m = ROLE_TOKEN.exec(ctx.text);
      if (!m) return i + 1;
      return roleAt(ctx, i, i + m[0].length, m[0].endsWith('system') ? 0.95 : 0.9);
    },
  },
  {
    anchor: 'INST]',
    types: ['prompt_injection'],
    near: { before: '[/' },
    at(ctx, i) {
      const { text } = ctx;
      if (text[i - 1] === '[') return roleAt(ctx, i - 1, i + 5, 0.85);
      if (text[i - 1] === '/' && text[i - 2] === '[') return roleAt(ctx, i - 2, i + 5, 0.85);
      return i + 1;
    },
  },
  {
    anchor: 'SYS>>',
    types: ['prompt_injection'],
    near: { before: '</' },
    at(ctx, i) {
      const { text } = ctx;
      if (text.startsWith('<<', i - 2)) return roleAt(ctx, i - 2, i + 5, 0.9);
      if (text.startsWith('<</', i - 3)) return roleAt(ctx, i - 3, i + 5, 0.9);
      return i + 1;
    },
  },
  {
    // Gemma's <start_of_turn>, <end_of_turn>, found at the `>`: a literal starting with `_` restarts V8's search at
    // every `_` of the text (identifiers, JSON keys), a single rarer character does not.
    anchor: '>',
    types: ['prompt_injection'],
    near: { before: 'n' },
    at(ctx, i) {
      const { text } = ctx;
      const at = i - 8;
      if (!text.startsWith('_of_turn', at)) return i + 1;
      if (text.startsWith('<start', at - 6)) return roleAt(ctx, at - 6, i + 1, 0.85);
      if (text.startsWith('<end', at - 4)) return roleAt(ctx, at - 4, i + 1, 0.85);
      return i + 1;
    },
  },
  turnMarker('Human:'),
  turnMarker('Assistant:'),
];

/**
 * Anthropic's legacy prompt format: a turn starts with a blank line and `Human:` or `Assistant:`. Anchored on the
 * first letter after a line break (`A` is searched for anyway, for AKIA…/AIza…: one pass instead of two).
 */
function turnMarker(word: string): AnchorRule {
  return {
    anchor: word[0] as string,
    types: ['prompt_injection'],
    near: { before: '\n' },
    at(ctx, i) {
      const { text } = ctx;
      if (!text.startsWith(word, i)) return i + 1;
      const blank = text.startsWith('\n\n', i - 2) || text.startsWith('\r\n\r\n', i - 4);
      return blank ? roleAt(ctx, i, i + word.length, 0.7) : i + 1;
    },
  };
}
