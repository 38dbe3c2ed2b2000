/**
 * Decides whether an organisation's regular expression is safe to run on every prompt with V8's backtracking
 * engine (Irregexp), which can take exponential or polynomial time on ambiguous patterns (ReDoS). The check is
 * conservative — it rejects some safe patterns rather than accept a dangerous one — and dependency-free, because
 * it runs when a policy loads (redos-detector, a development dependency, checks the built-in rules in tests and
 * agrees with this check on the patterns it accepts, see linear-regex.test.ts).
 *
 * Supported: literals, escapes (\d \w \s \D \W \S \t \n \xHH \uHHHH …), classes, `.`, groups (capturing,
 * `(?:…)`, named), alternation, `^ $ \b \B`, quantifiers `* + ? {n} {n,} {n,m}` (greedy or lazy).
 * Rejected: backreferences and lookaround (not linear), a variable repeat inside another repeat (exponential:
 * `(a+)+`, `(\w+\s?)*`), a repeated group that can match the empty string, and two places in the pattern that
 * can match the same character where the engine must choose between them while inside a repeat (`\d+\d`,
 * `\w+\s*\w+`, `(a|ab)*`, `.*x`) — the Glushkov construction makes those places explicit.
 */

import { DIGIT, SPACE, WORD, complement, intersects, normalise, type CharSet, type Range } from './regex-char-sets.js';

type Node =
  | { kind: 'char'; set: CharSet }
  | { kind: 'empty' }
  | { kind: 'seq'; items: Node[] }
  | { kind: 'alt'; options: Node[] }
  | { kind: 'repeat'; node: Node; min: number; max: number };

export type LinearCheck = { ok: true; flags: string; source: string } | { ok: false; reason: string };

const MAX_SOURCE = 2000;
/** Ambiguities outside repeats cost a constant factor each; past this many the factor is no longer small. */
const MAX_BOUNDED_AMBIGUITIES = 6;
const MAX_COUNT = 1000;
/** Repeats up to this many iterations cost a constant per match attempt. */
const LONG_REPEAT = 16;

/**
 * Checks `source`. A leading `(?i)` (as in PCRE, Go and Python) is accepted and turned into the `i` flag.
 * Returns the source and flags to compile with `new RegExp(source, flags)`.
 */
export function checkLinear(input: string): LinearCheck {
  let source = input;
  let flags = 'g';
  if (source.startsWith('(?i)')) {
    source = source.slice(4);
    flags = 'gi';
  }
  if (source.length === 0) return { ok: false, reason: 'is empty' };
  if (source.length > MAX_SOURCE) return { ok: false, reason: `is longer than ${MAX_SOURCE} characters` };
  try {
    new RegExp(source, flags);
  } catch (err) {
    return { ok: false, reason: `is not a valid regular expression (${(err as Error).message})` };
  }
  let ast: Node;
  try {
    ast = new Parser(source, flags.includes('i')).parse();
  } catch (err) {
    return { ok: false, reason: (err as Error).message };
  }
  const problem = analyse(ast);
  return problem ? { ok: false, reason: problem } : { ok: true, flags, source };
}

class Parser {
  private i = 0;
  constructor(
    private readonly src: string,
    private readonly ignoreCase: boolean,
  ) {}

  parse(): Node {
    const node = this.disjunction();
    if (this.i < this.src.length) throw new Error(`has an unexpected "${this.src[this.i]}" at ${this.i}`);
    return node;
  }

  private disjunction(): Node {
    const options = [this.alternative()];
    while (this.src[this.i] === '|') {
      this.i++;
      options.push(this.alternative());
    }
    return options.length === 1 ? (options[0] as Node) : { kind: 'alt', options };
  }

  private alternative(): Node {
    const items: Node[] = [];
    while (this.i < this.src.length && this.src[this.i] !== '|' && this.src[this.i] !== ')') {
      items.push(this.term());
    }
    return items.length === 1 ? (items[0] as Node) : { kind: 'seq', items };
  }

  private term(): Node {
    const c = this.src[this.i] as string;
    if (c === '^' || c === '$') {
      this.i++;
      return { kind: 'empty' };
    }
    if (c === '\\' && (this.src[this.i + 1] === 'b' || this.src[this.i + 1] === 'B')) {
      this.i += 2;
      return { kind: 'empty' };
    }
    const atom = this.atom();
    return this.quantifier(atom);
  }

  private atom(): Node {
    const c = this.src[this.i] as string;
    if (c === '(') return this.group();
    if (c === '[') return { kind: 'char', set: this.fold(this.charClass()) };
    if (c === '.') {
      this.i++;
      return {
        kind: 'char',
        set: complement([
          [10, 10],
          [13, 13],
          [0x2028, 0x2029],
        ]),
      };
    }
    if (c === '\\') return { kind: 'char', set: this.fold(this.escape(false)) };
    if ('*+?{}'.includes(c))
      throw new Error(`has a quantifier or brace with nothing to repeat at ${this.i} (escape a literal "${c}")`);
    if (c === ']') throw new Error(`has an unescaped "]" at ${this.i}`);
    this.i++;
    const code = c.charCodeAt(0);
    return { kind: 'char', set: this.fold([[code, code]]) };
  }

  private group(): Node {
    this.i++;
    if (this.src[this.i] === '?') {
      const next = this.src[this.i + 1];
      if (next === ':') this.i += 2;
      else if (next === '<' && /[A-Za-z_$]/.test(this.src[this.i + 2] ?? '')) {
        const close = this.src.indexOf('>', this.i);
        if (close < 0) throw new Error('has an unterminated group name');
        this.i = close + 1;
      } else {
        throw new Error(`uses lookaround or an unsupported group at ${this.i - 1}; lookaround is not linear-time`);
      }
    }
    const node = this.disjunction();
    if (this.src[this.i] !== ')') throw new Error('has an unclosed group');
    this.i++;
    return node;
  }

  private quantifier(atom: Node): Node {
    const c = this.src[this.i];
    let min: number;
    let max: number;
    if (c === '*') [min, max] = [0, Infinity];
    else if (c === '+') [min, max] = [1, Infinity];
    else if (c === '?') [min, max] = [0, 1];
    else if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(this.src.slice(this.i));
      if (!m) throw new Error(`has a "{" that is not a quantifier at ${this.i} (escape it as \\{)`);
      min = Number(m[1]);
      max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
      if (max < min || min > MAX_COUNT || (max !== Infinity && max > MAX_COUNT)) {
        throw new Error(`has a repeat count above ${MAX_COUNT} or out of order at ${this.i}`);
      }
      this.i += m[0].length - 1;
    } else {
      return atom;
    }
    this.i++;
    if (this.src[this.i] === '?') this.i++; // lazy: same paths, different order
    return { kind: 'repeat', node: atom, min, max };
  }

  private charClass(): CharSet {
    this.i++;
    const negate = this.src[this.i] === '^';
    if (negate) this.i++;
    const ranges: Range[] = [];
    while (this.i < this.src.length && this.src[this.i] !== ']') {
      const lo = this.classAtom();
      if (this.src[this.i] === '-' && this.src[this.i + 1] !== ']' && this.i + 1 < this.src.length && lo.length === 1) {
        this.i++;
        const hi = this.classAtom();
        const a = (lo[0] as Range)[0];
        const b = hi.length === 1 ? (hi[0] as Range)[0] : -1;
        if (b < a) throw new Error(`has an invalid class range at ${this.i}`);
        ranges.push([a, b]);
      } else {
        ranges.push(...lo);
      }
    }
    if (this.src[this.i] !== ']') throw new Error('has an unclosed character class');
    this.i++;
    const set = normalise(ranges);
    return negate ? complement(set) : set;
  }

  private classAtom(): CharSet {
    const c = this.src[this.i] as string;
    if (c === '\\') return this.escape(true);
    this.i++;
    const code = c.charCodeAt(0);
    return [[code, code]];
  }

  private escape(inClass: boolean): CharSet {
    const e = this.src[this.i + 1];
    if (e === undefined) throw new Error('ends with a lone backslash');
    this.i += 2;
    switch (e) {
      case 'd':
        return DIGIT;
      case 'D':
        return complement(DIGIT);
      case 'w':
        return WORD;
      case 'W':
        return complement(WORD);
      case 's':
        return SPACE;
      case 'S':
        return complement(SPACE);
      case 'n':
        return [[10, 10]];
      case 'r':
        return [[13, 13]];
      case 't':
        return [[9, 9]];
      case 'v':
        return [[11, 11]];
      case 'f':
        return [[12, 12]];
      case '0':
        return [[0, 0]];
      case 'b':
        if (inClass) return [[8, 8]];
        break;
      case 'x':
      case 'u': {
        const digits = e === 'x' ? 2 : 4;
        const hex = this.src.slice(this.i, this.i + digits);
        if (!new RegExp(`^[0-9A-Fa-f]{${digits}}$`).test(hex)) break;
        this.i += digits;
        const code = parseInt(hex, 16);
        return [[code, code]];
      }
      case 'c': {
        const letter = this.src.charCodeAt(this.i);
        if (!((letter >= 65 && letter <= 90) || (letter >= 97 && letter <= 122))) break;
        this.i++;
        const code = letter % 32;
        return [[code, code]];
      }
      default:
        if (/[1-9]/.test(e) || e === 'k')
          throw new Error(`uses a backreference at ${this.i - 2}; backreferences are not linear-time`);
        if (/[A-Za-z]/.test(e)) throw new Error(`uses the unsupported escape \\${e} at ${this.i - 2}`);
        return [[e.charCodeAt(0), e.charCodeAt(0)]];
    }
    throw new Error(`uses the unsupported escape \\${e} at ${this.i - 2}`);
  }

  /** With the `i` flag, a set also holds the other case of its ASCII letters. */
  private fold(set: CharSet): CharSet {
    if (!this.ignoreCase) return set;
    const extra: Range[] = [];
    for (const [lo, hi] of set) {
      const a = Math.max(lo, 65);
      const b = Math.min(hi, 90);
      if (a <= b) extra.push([a + 32, b + 32]);
      const c = Math.max(lo, 97);
      const d = Math.min(hi, 122);
      if (c <= d) extra.push([c - 32, d - 32]);
    }
    return normalise([...set, ...extra]);
  }
}

interface Info {
  nullable: boolean;
  first: number[];
  last: number[];
}

/** Glushkov construction with the two extra rules; returns a reason to reject, or undefined. */
function analyse(root: Node): string | undefined {
  const sets: CharSet[] = [];
  const inLoop: boolean[] = [];
  /** Inside a repeat of more than LONG_REPEAT iterations: a match attempt can run far through the text. */
  const inLongLoop: boolean[] = [];
  const follow: Set<number>[] = [];
  let problem: string | undefined;
  let longDepth = 0;

  const visit = (node: Node, loopDepth: number): Info => {
    switch (node.kind) {
      case 'empty':
        return { nullable: true, first: [], last: [] };
      case 'char': {
        const p = sets.length;
        sets.push(node.set);
        inLoop.push(loopDepth > 0);
        inLongLoop.push(longDepth > 0);
        follow.push(new Set());
        return { nullable: false, first: [p], last: [p] };
      }
      case 'alt': {
        const infos = node.options.map((o) => visit(o, loopDepth));
        return {
          nullable: infos.some((x) => x.nullable),
          first: infos.flatMap((x) => x.first),
          last: infos.flatMap((x) => x.last),
        };
      }
      case 'seq': {
        let acc: Info = { nullable: true, first: [], last: [] };
        for (const item of node.items) {
          const info = visit(item, loopDepth);
          for (const p of acc.last) for (const q of info.first) follow[p]?.add(q);
          acc = {
            nullable: acc.nullable && info.nullable,
            first: acc.nullable ? [...acc.first, ...info.first] : acc.first,
            last: info.nullable ? [...acc.last, ...info.last] : info.last,
          };
        }
        return acc;
      }
      case 'repeat': {
        if (node.max === 0) return { nullable: true, first: [], last: [] };
        const variable = node.max > node.min;
        const loops = node.max > 1;
        if (loops && containsVariableRepeat(node.node)) {
          problem ??= 'repeats a group that itself contains a repeat (nested quantifiers can take exponential time)';
        }
        const long = variable && node.max > LONG_REPEAT;
        if (long) longDepth++;
        const info = visit(node.node, loops && variable ? loopDepth + 1 : loopDepth);
        if (long) longDepth--;
        if (loops && info.nullable) problem ??= 'repeats something that can match the empty string';
        if (loops) for (const p of info.last) for (const q of info.first) follow[p]?.add(q);
        return { nullable: node.min === 0 || info.nullable, first: info.first, last: info.last };
      }
    }
  };

  const rootInfo = visit(root, 0);
  if (problem) return problem;
  if (rootInfo.nullable) return 'can match the empty string';
  let bounded = 0;
  const check = (positions: Iterable<number>, source: number | undefined): string | undefined => {
    const list = [...positions];
    for (let a = 0; a < list.length; a++) {
      for (let b = a + 1; b < list.length; b++) {
        const p = list[a] as number;
        const q = list[b] as number;
        if (!intersects(sets[p] as CharSet, sets[q] as CharSet)) continue;
        const looping = inLoop[p] || inLoop[q] || (source !== undefined && inLoop[source]);
        if (looping) {
          return 'has two parts that can match the same characters inside a repeat (e.g. \\w+\\w, .*x, (a|ab)*), which can take polynomial or exponential time';
        }
        if (++bounded > MAX_BOUNDED_AMBIGUITIES) return 'has too many overlapping alternatives';
      }
    }
    return undefined;
  };
  const firstProblem = check(rootInfo.first, undefined);
  if (firstProblem) return firstProblem;
  for (let p = 0; p < follow.length; p++) {
    const reason = check(follow[p] as Set<number>, p);
    if (reason) return reason;
  }
  // An open-ended repeat that must be followed by more: searching a text starts an attempt at many positions and
  // each can run through the whole repeat before failing — quadratic time (\w+@ on a long word without @).
  const last = new Set(rootInfo.last);
  for (let p = 0; p < sets.length; p++) {
    if (inLongLoop[p] && !last.has(p)) {
      return `has an open-ended repeat before its end (bound it, e.g. {1,${LONG_REPEAT}}): searching long text would take quadratic time`;
    }
  }
  return undefined;
}

function containsVariableRepeat(node: Node): boolean {
  switch (node.kind) {
    case 'repeat':
      return (node.max > 1 && node.max > node.min) || containsVariableRepeat(node.node);
    case 'seq':
      return node.items.some(containsVariableRepeat);
    case 'alt':
      return node.options.some(containsVariableRepeat);
    default:
      return false;
  }
}
