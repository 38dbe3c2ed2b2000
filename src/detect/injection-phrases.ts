/**
 * Word-sequence patterns for prompt-injection phrases and their matcher. A pattern is a list of slots; a slot
 * matches one of its entries (an entry may be several words, "do not") between `min` and `max` times, so a phrase
 * has a bounded number of words. Matching tries each start word once per family and each slot's counts from most
 * to fewest (PhraseMatcher).
 */

import { trieSource } from './trie-alternation.js';

interface Slot {
  /** Entries in lower case; several words separated by spaces match consecutive words. */
  readonly any: readonly string[];
  readonly min?: number;
  readonly max?: number;
  /** The slot's last word must be followed by a colon, which belongs to the phrase ("New instructions:"). */
  readonly colon?: boolean;
}

export type Pattern = readonly Slot[];

export interface PhraseFamily {
  /** Lower-case words or phrases one of which every phrase of the family contains. */
  readonly keys: readonly string[];
  readonly patterns: readonly Pattern[];
  /** How far before a hit, in characters, a phrase may start; it must contain the hit. */
  readonly before: number;
  readonly confidence: number;
}

const one = (...any: string[]): Slot => ({ any });
const opt = (...any: string[]): Slot => ({ any, min: 0, max: 1 });

const IGNORE_VERBS = one('ignore', 'disregard', 'forget', 'override', 'bypass');
const IGNORE_MODIFIERS: Slot = {
  any: ['all', 'any', 'every', 'each', 'the', 'your', 'my', 'of', 'these', 'those', 'previous', 'prior', 'above', 'earlier', 'preceding', 'foregoing', 'initial', 'original', 'system', 'existing', 'current', 'developer', 'safety', 'other', 'former', 'old'],
  min: 0,
  max: 5,
}; // prettier-ignore
const IGNORE_OBJECTS = one(
  'instruction', 'instructions', 'prompt', 'prompts', 'direction', 'directions', 'directive', 'directives', 'rules',
  'guidelines', 'guardrails', 'context', 'messages', 'commands', 'constraints', 'restrictions', 'policy',
  'policies', 'programming', 'training', 'orders', 'above', 'everything', 'that',
); // prettier-ignore
const USER = one('user', 'human');
const TELL = one(
  'tell', 'telling', 'inform', 'informing', 'mention', 'mentioning', 'reveal', 'revealing', 'disclose', 'disclosing',
  'show', 'showing', 'alert', 'alerting', 'notify', 'notifying', 'ask', 'asking', 'let', 'letting', 'warn', 'warning',
); // prettier-ignore
const AI = one('ai', 'llm', 'assistant', 'agent', 'claude', 'chatgpt', 'ais', 'llms', 'assistants', 'agents');

export const phraseFamilies: readonly PhraseFamily[] = [
  {
    keys: ['ignor', 'disregard', 'forget', 'overrid', 'bypass'],
    patterns: [[IGNORE_VERBS, IGNORE_MODIFIERS, IGNORE_OBJECTS]],
    before: 0,
    confidence: 0.9,
  },
  {
    keys: ['the user', 'the human'],
    patterns: [
      [one('do not', "don't", 'dont', 'never', 'must not', 'should not', 'without'), TELL, opt('this', 'it', 'that', 'anything', 'them', 'about this', 'about it'), opt('to'), one('the'), USER],
      [one('hide', 'keep', 'conceal'), one('this', 'it', 'that', 'these steps', 'these actions', 'these instructions'), opt('secret', 'hidden'), one('from'), one('the'), USER],
      [one('the'), USER, one('must', 'should', 'will', 'does', 'need'), one('not', 'never'), one('know', 'see', 'notice', 'find out', 'be told', 'be informed', 'learn')],
    ],
    before: 90,
    confidence: 0.85,
  },
  {
    keys: ['you are now', "you're now", 'from now on'],
    patterns: [
      [one('you are now', "you're now"), one('a', 'an', 'the', 'in', 'acting', 'my', 'no longer', 'dan', 'unrestricted', 'jailbroken', 'free')],
      [one('from now on'), one('you'), one('are', 'will', 'must', 'should', 'shall')],
    ],
    before: 0,
    confidence: 0.75,
  },
  {
    keys: ['instruction', 'system prompt', 'system message', 'initial prompt', 'hidden prompt'],
    patterns: [
      [one('new', 'updated', 'real', 'actual', 'true', 'hidden', 'secret', 'revised', 'additional', 'important', 'urgent'), { any: ['instruction', 'instructions'], colon: true }],
      [
        one('reveal', 'print', 'show', 'output', 'repeat', 'display', 'leak', 'dump', 'tell me', 'give me', 'what is', 'what are'),
        opt('me'),
        one('your', 'the'),
        opt('full', 'entire', 'complete', 'original', 'hidden', 'initial', 'secret', 'exact'),
        one('system prompt', 'system message', 'initial prompt', 'hidden prompt', 'instructions'),
      ],
      [one('do not', "don't", 'never'), one('mention', 'reveal', 'disclose', 'repeat', 'share', 'acknowledge'), one('these', 'this', 'the', 'your'), one('instructions')],
    ],
    before: 80,
    confidence: 0.8,
  },
  {
    // Keyed on the phrase openings rather than on "assistant", which chat payloads are full of.
    keys: ['you are', 'note to', 'note for', 'message to', 'message for', 'instruction', 'memo to', 'notice to', 'important for', 'attention', 'dear ', 'hey '],
    patterns: [
      [one('if', 'when'), one('you are'), opt('a', 'an'), one('ai', 'llm', 'large language model', 'language model', 'ai assistant', 'ai agent', 'ai model', 'assistant', 'chatbot')],
      [one('note', 'message', 'instruction', 'instructions', 'attention', 'notice', 'memo', 'important'), one('to', 'for'), opt('the', 'any', 'all'), AI],
      [one('dear', 'attention', 'hey'), AI],
    ],
    before: 10,
    confidence: 0.7,
  },
  {
    keys: ['send', 'upload', 'exfiltrat', 'forward', 'transmit'],
    patterns: [
      [
        one('send', 'upload', 'exfiltrate', 'forward', 'transmit'),
        { any: ['it', 'this', 'that', 'the', 'all', 'your', 'these', 'those', 'its', 'their', 'any', 'of', 'full', 'entire', 'complete', "user's"], min: 0, max: 4 },
        one('contents', 'content', 'data', 'file', 'files', 'credentials', 'secrets', 'secret', 'keys', 'api keys', 'api key', 'tokens', 'token', 'passwords', 'password', 'environment variables', 'env vars', 'conversation', 'chat history', 'ssh keys', 'ssh key', 'private keys', 'private key', 'cookies', '.env'),
        { any: ['of *'], min: 0, max: 1 },
        one('to'),
      ],
    ],
    before: 0,
    confidence: 0.8,
  },
]; // prettier-ignore

interface Word {
  start: number;
  end: number;
  /** Lower-cased, without surrounding punctuation. */
  text: string;
  /** Followed directly by a colon. */
  colon: boolean;
}

const EDGE = '.,;:!?"\'()[]{}<>*`';
/** The largest `before` of any family: how far behind a hit its phrase may start. */
const MAX_BEFORE = Math.max(...phraseFamilies.map((f) => f.before));

function isWordCode(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 39;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9 || c === 160;
}

/** The words a pattern can start with (its first slot must match at least once), computed once. */
const starters = new WeakMap<Pattern, ReadonlySet<string>>();
function firstWords(pattern: Pattern): ReadonlySet<string> {
  let set = starters.get(pattern);
  if (!set) {
    const first = pattern[0] as Slot;
    set = new Set(first.any.map((e) => e.split(' ')[0] as string));
    starters.set(pattern, set);
  }
  return set;
}

/**
 * Phrases in one text. Words (runs of non-space characters stripped of surrounding punctuation) are read once,
 * left to right, as hits need them, and each family's match from each start word is computed once: a text that
 * repeats a key thousands of times ("ignore ignore …") costs time linear in its length, not in hits × window.
 */
export class PhraseMatcher {
  private words: Word[] = [];
  /** Where reading stopped: the words list covers [the first word's start, next). */
  private next = 0;
  private readonly memo = new Map<PhraseFamily, Map<number, number>>();

  constructor(private readonly text: string) {}

  /**
   * The phrase of `family` that contains the key at `hit` and starts at most `family.before` characters before
   * it, as [start, end), or undefined.
   */
  phraseAt(family: PhraseFamily, hit: number): [number, number] | undefined {
    const from = Math.max(0, hit - family.before);
    this.readFrom(hit - MAX_BEFORE);
    let memo = this.memo.get(family);
    if (!memo) this.memo.set(family, (memo = new Map()));
    for (let w = this.firstWordFrom(from); ; w++) {
      const word = this.word(w);
      if (!word || word.start > hit) return undefined;
      let end = memo.get(word.start);
      if (end === undefined) {
        end = -1;
        for (const pattern of family.patterns) {
          if (!firstWords(pattern).has(word.text)) continue;
          const after = this.matchSlots(w, pattern, 0);
          if (after === undefined) continue;
          const last = this.word(after - 1) as Word;
          end = last.end + (pattern[pattern.length - 1]?.colon === true ? 1 : 0);
          break;
        }
        memo.set(word.start, end);
      }
      if (end > hit) return [word.start, end];
    }
  }

  /** Starts reading at `pos` when the words read so far end before it (a window cut mid-word starts at the next word). */
  private readFrom(pos: number): void {
    if (pos <= this.next) return;
    this.words = [];
    let k = pos;
    if (isWordCode(this.text.charCodeAt(k - 1)) && isWordCode(this.text.charCodeAt(k))) {
      while (k < this.text.length && !isSpace(this.text.charCodeAt(k))) k++;
    }
    this.next = k;
  }

  /** Index of the first word read that starts at or after `pos`. */
  private firstWordFrom(pos: number): number {
    let lo = 0;
    let hi = this.words.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.words[mid] as Word).start < pos) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Word `w`, reading further into the text when needed; undefined past the last word. */
  private word(w: number): Word | undefined {
    const { text } = this;
    while (w >= this.words.length && this.next < text.length) {
      let k = this.next;
      while (k < text.length && isSpace(text.charCodeAt(k))) k++;
      let s = k;
      while (k < text.length && !isSpace(text.charCodeAt(k))) k++;
      this.next = k;
      let e = k;
      while (s < e && EDGE.includes(text[s] as string)) s++;
      while (e > s && EDGE.includes(text[e - 1] as string)) e--;
      if (e > s)
        this.words.push({ start: s, end: e, text: text.slice(s, e).toLowerCase(), colon: text.charCodeAt(e) === 58 });
    }
    return this.words[w];
  }

  /** Index after the last word matched by pattern[s..] from word w, or undefined. */
  private matchSlots(w: number, pattern: Pattern, s: number): number | undefined {
    if (s === pattern.length) return w;
    const slot = pattern[s] as Slot;
    const min = slot.min ?? 1;
    const max = slot.max ?? 1;
    // Positions after 0..max repetitions; try the longest first.
    const after: number[] = [w];
    let at = w;
    for (let r = 0; r < max; r++) {
      const next = this.matchEntry(at, slot);
      if (next === undefined) break;
      after.push(next);
      at = next;
    }
    for (let r = after.length - 1; r >= min; r--) {
      const end = this.matchSlots(after[r] as number, pattern, s + 1);
      if (end !== undefined) return end;
    }
    return undefined;
  }

  /** Index after one of the slot's entries matched at word w, or undefined. */
  private matchEntry(w: number, slot: Slot): number | undefined {
    for (const parts of entriesOf(slot)) {
      let ok = true;
      for (let p = 0; p < parts.length && ok; p++) {
        const word = this.word(w + p);
        ok = word !== undefined && (parts[p] === '*' || word.text === parts[p]);
      }
      if (ok && slot.colon && !(this.word(w + parts.length - 1) as Word).colon) ok = false;
      if (ok) return w + parts.length;
    }
    return undefined;
  }
}

/** Each slot's entries split into words, computed once. */
const split = new WeakMap<Slot, readonly (readonly string[])[]>();
function entriesOf(slot: Slot): readonly (readonly string[])[] {
  let parts = split.get(slot);
  if (!parts) {
    parts = slot.any.map((e) => e.split(' '));
    split.set(slot, parts);
  }
  return parts;
}

/**
 * One expression for every family's keys, factored into a trie: a single pass over the text instead of one per
 * family (a third of the cost), with no two alternatives matching the same text. On a hit the longest key wins
 * ("you are now" over "you are"). Keys start words: `\b` first lets most positions fail at once.
 */
export const familyKeys: RegExp = new RegExp(
  String.raw`\b` +
    trieSource([...new Set(phraseFamilies.flatMap((f) => f.keys))], (ch) => ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')),
  'gi',
);

/** The families to try for a key found in the text. */
export const familiesByKey: ReadonlyMap<string, readonly PhraseFamily[]> = new Map(
  [...new Set(phraseFamilies.flatMap((f) => f.keys))].map((k) => [k, phraseFamilies.filter((f) => f.keys.includes(k))]),
);
