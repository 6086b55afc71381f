/**
 * Kong users write route regexes for PCRE (Kong 2.x, the `traditional` router) or Rust's `regex`
 * crate (Kong 3.x `traditional_compatible`, through atc-router). Both accept constructs that
 * JavaScript either lacks or, worse, reads as something else without complaint (`\A` is a plain
 * `A`, `[[:alpha:]]` a one-character class followed by `]`). This translates the constructs that
 * have a JavaScript equivalent and refuses, naming it, every construct that has none.
 */
export interface JsRegex {
  readonly source: string;
  readonly flags: string;
  /** Capture groups the author wrote; an atomic group or possessive quantifier adds hidden ones. */
  readonly groupCount: number;
  /** JavaScript group number of each authored group (index 1..groupCount); null when they are the same. */
  readonly groupNumbers: readonly number[] | null;
}

/** A construct that has no JavaScript equivalent (or is malformed), named as the author wrote it. */
export class UntranslatableRegexError extends Error {
  override readonly name = 'UntranslatableRegexError';
  constructor(
    readonly construct: string,
    reason: string,
  ) {
    super(`${reason} '${construct}' has no JavaScript equivalent`);
  }
}

const refuse = (construct: string, reason: string): never => {
  throw new UntranslatableRegexError(construct, reason);
};

/** Escapes whose meaning differs, or that JavaScript (without the u flag) would read as a letter. */
const REFUSED_ESCAPES: Readonly<Record<string, string>> = {
  G: 'the match-start anchor',
  K: 'the match-reset escape',
  R: 'the newline-sequence escape',
  X: 'the grapheme-cluster escape',
  C: 'the single-code-unit escape',
  N: 'the not-a-newline escape',
  h: 'the horizontal-space escape',
  H: 'the non-horizontal-space escape',
  v: 'the vertical-space escape',
  V: 'the non-vertical-space escape',
  p: 'the Unicode property escape',
  P: 'the Unicode property escape',
  o: 'the octal escape',
};
/** Escapes copied as they are: same meaning in PCRE, Rust and JavaScript. */
const SAME_ESCAPES = 'bBdDwWsStnrf0123456789cxu';
const POSIX_CLASSES: Readonly<Record<string, string>> = {
  alpha: 'a-zA-Z',
  digit: '0-9',
  alnum: 'a-zA-Z0-9',
  upper: 'A-Z',
  lower: 'a-z',
  space: '\\t\\n\\v\\f\\r ',
  blank: '\\t ',
  xdigit: '0-9A-Fa-f',
  word: '\\w',
  punct: '!-\\/:-@\\[-`{-~',
  cntrl: '\\x00-\\x1f\\x7f',
  print: '\\x20-\\x7e',
  graph: '\\x21-\\x7e',
};
const SUPPORTED_FLAGS = 'ims';
const SYNTAX = /[\\^$.*+?()[\]{}|/-]/g;

interface OpenGroup {
  readonly outStart: number;
  /** JS group number of the hidden capture of an atomic group, else 0. */
  readonly atomic: number;
}

/**
 * Anything that may need translating or refusing: an escape other than those JavaScript reads the
 * same, a `(?` other than `(?:`, `(?=`, `(?!`, `(?<=`, `(?<!`, `(?<name>`, a verb, a possessive
 * quantifier, `[]`, `[^]`, a POSIX class. Most route regexes have none and are used as written.
 */
const MAY_DIFFER = /\\[^dDwWsSbBtnrf0/.\-_~!@#%&=:,;'"<>`$^*+?()[\]{}|\\]|\(\?(?![:=!]|<[=!]|<\w+>)|\(\*|[*+?}]\+|\[\^?\]|\[:/;

/** Translates one regex; throws UntranslatableRegexError naming what cannot be translated. */
export function translatePcre(pattern: string): JsRegex {
  if (!MAY_DIFFER.test(pattern)) return { source: pattern, flags: '', groupCount: countGroups(pattern), groupNumbers: null };
  return new Translation(pattern).run();
}

/** Capture groups: `(` not followed by `?`, and `(?<name>`, outside escapes and character classes. */
function countGroups(pattern: string): number {
  let count = 0;
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') i++;
    else if (c === '[') inClass = true;
    else if (c === ']') inClass = false;
    else if (c === '(' && !inClass) {
      if (pattern[i + 1] !== '?') count++;
      else if (pattern[i + 2] === '<' && pattern[i + 3] !== '=' && pattern[i + 3] !== '!') count++;
    }
  }
  return count;
}

class Translation {
  private out = '';
  private i = 0;
  private flags = '';
  /** Where the last quantifiable atom starts in `out`, or -1. */
  private atomStart = -1;
  private readonly groups: OpenGroup[] = [];
  private readonly groupNumbers: number[] = [0];
  /** Where each JavaScript group's `(` is in `out`, in group order. */
  private readonly opens: number[] = [];
  private hidden = false;

  constructor(private readonly p: string) {}

  run(): JsRegex {
    this.leadingFlags();
    while (this.i < this.p.length) this.step();
    if (this.groups.length > 0) refuse('(', 'an unclosed group');
    const groupCount = this.groupNumbers.length - 1;
    return { source: this.out, flags: this.flags, groupCount, groupNumbers: this.hidden ? this.groupNumbers : null };
  }

  /** `(?i)` and friends in front apply to the whole pattern: JavaScript flags. */
  private leadingFlags(): void {
    const found = /^\(\?([a-zA-Z]+)\)/.exec(this.p);
    if (found === null) return;
    for (const flag of found[1]!) {
      if (!SUPPORTED_FLAGS.includes(flag)) refuse(found[0], `the inline flag ${flag} in`);
      if (!this.flags.includes(flag)) this.flags += flag;
    }
    this.i = found[0].length;
  }

  private step(): void {
    const c = this.p[this.i]!;
    switch (c) {
      case '\\':
        return this.escape();
      case '[':
        return this.characterClass();
      case '(':
        return this.openGroup();
      case ')':
        return this.closeGroup();
      case '*':
      case '+':
      case '?':
        return this.quantifier(c);
      case '{':
        return this.brace();
      case '|':
      case '^':
      case '$':
        this.out += c;
        this.i++;
        this.atomStart = -1;
        return;
      default:
        this.atom(c);
        this.i++;
    }
  }

  private atom(text: string): void {
    this.atomStart = this.out.length;
    this.out += text;
  }

  private escape(): void {
    const p = this.p;
    const e = p[this.i + 1];
    if (e === undefined) refuse('\\', 'a trailing backslash');
    const start = this.i;
    this.i += 2;
    switch (e) {
      case 'A':
        this.out += '^';
        this.atomStart = -1;
        return;
      case 'z':
        this.out += '$';
        this.atomStart = -1;
        return;
      case 'Z':
        this.out += '(?=\\n?$)';
        this.atomStart = -1;
        return;
      case 'Q':
        return this.quoted();
      case 'E':
        return; // a stray \E means nothing in PCRE
      case 'e':
        return this.atom('\\x1b');
      case 'a':
        return this.atom('\\x07');
      case 'g':
      case 'k':
        return this.namedReference(start, e);
    }
    if (e === 'x' && p[this.i] === '{') return this.atom(this.braceHex(start));
    if (e >= '1' && e <= '9') return this.backReference(start);
    if (e in REFUSED_ESCAPES) refuse(p.slice(start, this.i), REFUSED_ESCAPES[e]!);
    if (/[a-zA-Z]/.test(e) && !SAME_ESCAPES.includes(e)) refuse(p.slice(start, this.i), 'the unknown escape');
    this.atom(p.slice(start, this.i));
  }

  /** `\Q...\E`: everything between is literal. */
  private quoted(): void {
    const end = this.p.indexOf('\\E', this.i);
    const text = end === -1 ? this.p.slice(this.i) : this.p.slice(this.i, end);
    this.i = end === -1 ? this.p.length : end + 2;
    for (const ch of text) this.atom(ch.replace(SYNTAX, '\\$&'));
  }

  /** `\x{263A}`: JavaScript without the u flag spells code units as `\uHHHH`. */
  private braceHex(start: number): string {
    const close = this.p.indexOf('}', this.i);
    const hex = close === -1 ? '' : this.p.slice(this.i + 1, close);
    const construct = this.p.slice(start, close === -1 ? this.p.length : close + 1);
    if (!/^[0-9a-fA-F]{1,6}$/.test(hex)) refuse(construct, 'the malformed escape');
    if (parseInt(hex, 16) > 0xffff) refuse(construct, 'the astral code point escape');
    this.i = close + 1;
    return '\\u' + hex.padStart(4, '0');
  }

  /** `\1`: renumbered when hidden groups come before it, and fenced so a following digit stays a digit. */
  private backReference(start: number): void {
    let end = this.i;
    while (end < this.p.length && this.p[end]! >= '0' && this.p[end]! <= '9') end++;
    const n = Number(this.p.slice(start + 1, end));
    this.i = end;
    if (n >= this.groupNumbers.length) refuse(this.p.slice(start, end), 'the reference to a group not yet opened');
    this.atom(`(?:\\${this.groupNumbers[n]!})`);
  }

  /** `\k<name>`, `\k{name}`, `\k'name'`, `\g{name}`, `\g{N}`, `\gN`. */
  private namedReference(start: number, e: string): void {
    const found = /^(?:<(\w+)>|\{(-?\w+)\}|'(\w+)'|(-?\d+))/.exec(this.p.slice(this.i));
    if (found === null) refuse(this.p.slice(start, this.i), 'the malformed reference');
    this.i += found![0].length;
    const target = found![1] ?? found![2] ?? found![3] ?? found![4]!;
    const construct = this.p.slice(start, this.i);
    if (target.startsWith('-')) refuse(construct, 'the relative back-reference');
    if (/^\d+$/.test(target)) {
      if (e === 'k') refuse(construct, 'the malformed reference');
      const n = Number(target);
      if (n >= this.groupNumbers.length) refuse(construct, 'the reference to a group not yet opened');
      return this.atom(`(?:\\${this.groupNumbers[n]!})`);
    }
    this.atom(`\\k<${target}>`);
  }

  private characterClass(): void {
    const p = this.p;
    const start = this.i;
    let body = '[';
    this.i++;
    if (p[this.i] === '^') {
      body += '^';
      this.i++;
    }
    // A `]` first is a literal in PCRE and Rust; JavaScript would read `[]` as the empty class.
    if (p[this.i] === ']') {
      body += '\\]';
      this.i++;
    }
    while (this.i < p.length && p[this.i] !== ']') body += this.classItem(start);
    if (this.i >= p.length) refuse(p.slice(start), 'the unclosed character class');
    this.i++;
    this.atom(body + ']');
  }

  private classItem(classStart: number): string {
    const p = this.p;
    const c = p[this.i]!;
    if (c === '[' && p[this.i + 1] === ':') {
      const close = p.indexOf(':]', this.i + 2);
      const name = close === -1 ? '' : p.slice(this.i + 2, close);
      const construct = close === -1 ? p.slice(this.i) : p.slice(this.i, close + 2);
      const range = POSIX_CLASSES[name];
      if (range === undefined) refuse(construct, 'the POSIX class');
      this.i = close + 2;
      return range!;
    }
    if (c === '[') {
      this.i++;
      return '\\['; // PCRE reads a nested [ as itself; Rust would nest, which is refused below if used
    }
    if (c !== '\\') {
      this.i++;
      return c;
    }
    const e = p[this.i + 1];
    if (e === undefined) refuse(p.slice(classStart), 'the unclosed character class');
    const start = this.i;
    this.i += 2;
    if (e === 'x' && p[this.i] === '{') return this.braceHex(start);
    if (e === 'e') return '\\x1b';
    if (e === 'a') return '\\x07';
    if (e === 'Q' || e === 'E' || e in REFUSED_ESCAPES) refuse(p.slice(start, this.i), REFUSED_ESCAPES[e] || 'the escape, in a class,');
    if (/[a-zA-Z]/.test(e!) && !SAME_ESCAPES.includes(e!)) refuse(p.slice(start, this.i), 'the unknown escape');
    return p.slice(start, this.i);
  }

  private openGroup(): void {
    const p = this.p;
    const rest = p.slice(this.i, this.i + 4);
    const outStart = this.out.length;
    if (!rest.startsWith('(?') && !rest.startsWith('(*')) return this.capture(1, outStart);
    if (rest.startsWith('(*')) refuse(this.construct(), 'the backtracking verb');
    if (rest.startsWith('(?#')) {
      const close = p.indexOf(')', this.i);
      if (close === -1) refuse(p.slice(this.i), 'the unclosed comment');
      this.i = close + 1;
      return;
    }
    const named = /^\(\?(?:P?<(?![=!])(\w+)>|'(\w+)')/.exec(p.slice(this.i));
    if (named !== null) {
      this.out += `(?<${named[1] ?? named[2]}>`;
      this.i += named[0].length - 1;
      return this.capture(1, outStart, true);
    }
    if (rest.startsWith('(?P=')) {
      const close = p.indexOf(')', this.i);
      const name = close === -1 ? '' : p.slice(this.i + 4, close);
      if (!/^\w+$/.test(name)) refuse(this.construct(), 'the malformed reference');
      this.i = close + 1;
      return this.atom(`\\k<${name}>`);
    }
    if (rest.startsWith('(?>')) return this.openAtomic(outStart);
    if (/^\(\?(?::|=|!|<=|<!)/.test(rest)) {
      const length = rest[2] === '<' ? 4 : 3;
      this.out += rest.slice(0, length);
      this.i += length;
      this.groups.push({ outStart, atomic: 0 });
      return;
    }
    this.refuseGroup(rest);
  }

  private refuseGroup(rest: string): never {
    if (rest.startsWith('(?|')) refuse('(?|', 'the branch-reset group');
    if (rest.startsWith('(?(')) refuse(this.construct(), 'the conditional group');
    if (/^\(\?(?:R|[+-]?\d|&|P>)/.test(rest)) refuse(this.construct(), 'the recursion');
    if (/^\(\?[a-zA-Z^-]/.test(rest)) refuse(this.construct(), 'the inline flag group (flags are only translated at the very start)');
    return refuse(this.construct(), 'the group');
  }

  /** The group syntax at the cursor, up to its `)` or `:` (for error messages). */
  private construct(): string {
    const found = /^\([^):]*[):]?/.exec(this.p.slice(this.i));
    return found === null ? this.p.slice(this.i, this.i + 3) : found[0];
  }

  /** `(` already emitted or to emit: an authored capture group. */
  private capture(width: number, outStart: number, emitted = false): void {
    if (!emitted) this.out += '(';
    this.i += width;
    this.opens.push(outStart);
    this.groupNumbers.push(this.opens.length);
    this.groups.push({ outStart, atomic: 0 });
  }

  /** `(?>X)` is `(?:(?=(X))\N)`: the lookahead matches X once, the back-reference consumes it. */
  private openAtomic(outStart: number): void {
    this.out += '(?:(?=(';
    this.i += 3;
    this.opens.push(outStart + 6);
    this.hidden = true;
    this.groups.push({ outStart, atomic: this.opens.length });
  }

  private closeGroup(): void {
    const group = this.groups.pop();
    if (group === undefined) refuse(')', 'the unmatched');
    this.out += group!.atomic === 0 ? ')' : `))\\${group!.atomic})`;
    this.i++;
    this.atomStart = group!.outStart;
  }

  private brace(): void {
    const found = /^\{\d+(?:,\d*)?\}/.exec(this.p.slice(this.i));
    // Not a repetition: PCRE and JavaScript both read the brace as a literal.
    if (found !== null) return this.quantifier(found[0]);
    this.atom('\\{');
    this.i++;
  }

  /** A quantifier, with PCRE's possessive `+` turned into an atomic group around the atom and it. */
  private quantifier(text: string): void {
    if (this.atomStart === -1) refuse(text, 'the quantifier with nothing to repeat:');
    this.i += text.length;
    const next = this.p[this.i];
    if (next === '?') {
      this.out += text + '?';
      this.i++;
    } else if (next === '+') {
      this.possessive(text);
      this.i++;
    } else {
      this.out += text;
    }
    this.atomStart = -1;
  }

  /**
   * `X*+` is `(?:(?=(X*))\N)`. The hidden group opens before any group inside X, so those, and
   * references to them already written inside X, move up one number.
   */
  private possessive(quantifier: string): void {
    const at = this.atomStart;
    let hiddenNumber = 1;
    while (hiddenNumber <= this.opens.length && this.opens[hiddenNumber - 1]! < at) hiddenNumber++;
    const shift = (n: number) => (n >= hiddenNumber ? n + 1 : n);
    const atom = this.out.slice(at).replace(/\\(?:(\d+)|[\s\S])/g, (m, d?: string) => (d === undefined ? m : '\\' + shift(Number(d))));
    const prefix = '(?:(?=(';
    for (let g = hiddenNumber - 1; g < this.opens.length; g++) this.opens[g] = this.opens[g]! + prefix.length;
    this.opens.splice(hiddenNumber - 1, 0, at + prefix.length - 1);
    for (let g = 1; g < this.groupNumbers.length; g++) this.groupNumbers[g] = shift(this.groupNumbers[g]!);
    this.out = this.out.slice(0, at) + prefix + atom + quantifier + '))\\' + hiddenNumber + ')';
    this.hidden = true;
  }
}
