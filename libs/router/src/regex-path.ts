/**
 * Regex route paths (`~/users/(?<id>\d+)`): compiled once, anchored at the start of the path as
 * Kong anchors them, and reduced to the literal text every match must begin with so the path
 * trie only offers the regex to requests that could match it.
 */
export interface RegexPath {
  readonly regex: RegExp;
  /** Text every match starts with ('' when the regex could start anywhere). */
  readonly literalPrefix: string;
  /** Whether the regex has capture groups (Kong reports captures only then). */
  readonly hasGroups: boolean;
}

const INLINE_CASE_INSENSITIVE = '(?i)';
const QUANTIFIERS = '?*{';
/** Escapes that stand for the character itself rather than a class or an assertion. */
const LITERAL_ESCAPES = '/.-_~!@#%&=:,;\'"<>`$^*+?()[]{}|\\';

/** `source` is the path without its leading `~`. Throws when JavaScript cannot compile it. */
export function compileRegexPath(source: string): RegexPath {
  let flags = '';
  let body = source;
  // PCRE and Rust accept inline flags that JavaScript does not; Kong users write (?i) in front.
  if (body.startsWith(INLINE_CASE_INSENSITIVE)) {
    flags = 'i';
    body = body.slice(INLINE_CASE_INSENSITIVE.length);
  }
  // Python/Rust named groups `(?P<name>` are `(?<name>` in JavaScript.
  body = body.replace(/\(\?P</g, '(?<');
  const regex = new RegExp('^(?:' + body + ')', flags);
  return {
    regex,
    literalPrefix: flags === 'i' ? '' : literalPrefixOf(body),
    hasGroups: hasCaptureGroup(body),
  };
}

/** The longest literal text at the start of every match of `body`; '' when in doubt. */
export function literalPrefixOf(body: string): string {
  if (hasAlternation(body)) return '';
  let prefix = '';
  let i = body.startsWith('^') ? 1 : 0;
  while (i < body.length) {
    let literal: string;
    let width: number;
    const c = body[i]!;
    if (c === '\\') {
      const escaped = body[i + 1];
      if (escaped === undefined || !LITERAL_ESCAPES.includes(escaped)) break;
      literal = escaped;
      width = 2;
    } else if ('.^$*+?()[]{}|'.includes(c)) {
      break;
    } else {
      literal = c;
      width = 1;
    }
    const next = body[i + width];
    // `/ab?` may match `/a`: an optional or repeated last character is not part of the prefix.
    if (next !== undefined && QUANTIFIERS.includes(next)) break;
    prefix += literal;
    if (next === '+') break;
    i += width;
  }
  return prefix;
}

/** `(` or `(?<name>`, outside a character class; `(?:`, `(?=`, `(?<=` and the like capture nothing. */
function hasCaptureGroup(body: string): boolean {
  let inClass = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === '\\') i++;
    else if (c === '[') inClass = true;
    else if (c === ']') inClass = false;
    else if (c === '(' && !inClass) {
      if (body[i + 1] !== '?') return true;
      if (body[i + 2] === '<' && body[i + 3] !== '=' && body[i + 3] !== '!') return true;
    }
  }
  return false;
}

/** Whether `|` appears outside a character class (at any depth: being conservative is enough). */
function hasAlternation(body: string): boolean {
  let inClass = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === '\\') i++;
    else if (c === '[') inClass = true;
    else if (c === ']') inClass = false;
    else if (c === '|' && !inClass) return true;
  }
  return false;
}
