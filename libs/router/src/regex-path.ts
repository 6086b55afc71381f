import { translatePcre } from '@tollgate/config';

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
  /** JavaScript group number of each authored group, when translation added hidden ones; else null. */
  readonly groupNumbers: readonly number[] | null;
}

const QUANTIFIERS = '?*{';
/** Escapes that stand for the character itself rather than a class or an assertion. */
const LITERAL_ESCAPES = '/.-_~!@#%&=:,;\'"<>`$^*+?()[]{}|\\';

/**
 * `source` is the path without its leading `~`, in PCRE or Rust syntax as Kong users write it
 * (see translatePcre). Throws when it cannot be translated or JavaScript cannot compile it.
 */
export function compileRegexPath(source: string): RegexPath {
  const translated = translatePcre(source);
  const regex = new RegExp('^(?:' + translated.source + ')', translated.flags);
  return {
    regex,
    literalPrefix: translated.flags.includes('i') ? '' : literalPrefixOf(translated.source),
    hasGroups: translated.groupCount > 0,
    groupNumbers: translated.groupNumbers,
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
