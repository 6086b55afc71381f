import { translatePcre } from '@tollgate/config';
import { hostMatches, normalizeServerName, type HostPattern } from './host-pattern';

type RequestHeaders = Readonly<Record<string, string | string[] | undefined>>;

/** One route header: any of its values matches, case-insensitively; `~*` values are regexes. */
export interface HeaderCondition {
  /** Lower-cased, as node names request headers. */
  readonly name: string;
  /** Lower-cased exact values. */
  readonly values: readonly string[];
  readonly patterns: readonly RegExp[];
}

const REGEX_MARK = '~*';

/** Throws when a `~*` value is not a valid regex. */
export function compileHeaderConditions(headers: Readonly<Record<string, readonly string[]>>): HeaderCondition[] {
  return Object.entries(headers).map(([name, list]) => ({
    // Kong's router (nginx, atc-router) reads `x_foo` in a route as the header X-Foo.
    name: name.toLowerCase().replace(/_/g, '-'),
    values: list.filter((v) => !v.startsWith(REGEX_MARK)).map((v) => v.toLowerCase()),
        patterns: list.filter((v) => v.startsWith(REGEX_MARK)).map((v) => headerRegex(v.slice(REGEX_MARK.length))),
  }));
}

/** Written for PCRE/Rust like path regexes; unanchored, as Kong's `~` operator searches; `i` because values compare without case. */
function headerRegex(pattern: string): RegExp {
  const { source, flags } = translatePcre(pattern);
  return new RegExp(source, flags.includes('i') ? flags : flags + 'i');
}

function valueMatches(condition: HeaderCondition, value: string): boolean {
  if (condition.values.length > 0) {
    const lower = value.toLowerCase();
    for (let i = 0; i < condition.values.length; i++) if (condition.values[i] === lower) return true;
  }
  for (let i = 0; i < condition.patterns.length; i++) if (condition.patterns[i]!.test(value)) return true;
  return false;
}

export function headersMatch(conditions: readonly HeaderCondition[], headers: RequestHeaders): boolean {
  for (let c = 0; c < conditions.length; c++) {
    const condition = conditions[c]!;
    const value = headers[condition.name];
    if (value === undefined) return false;
    if (typeof value === 'string') {
      if (!valueMatches(condition, value)) return false;
      continue;
    }
    let any = false;
    for (let i = 0; i < value.length && !any; i++) any = valueMatches(condition, value[i]!);
    if (!any) return false;
  }
  return true;
}

/** Standard methods get a bit each so a route's methods are one number to test; others share one. */
export const OTHER_METHOD = 1 << 9;
export const ANY_METHOD = -1;

export function methodBit(method: string): number {
  switch (method) {
    case 'GET':
      return 1;
    case 'HEAD':
      return 1 << 1;
    case 'POST':
      return 1 << 2;
    case 'PUT':
      return 1 << 3;
    case 'PATCH':
      return 1 << 4;
    case 'DELETE':
      return 1 << 5;
    case 'OPTIONS':
      return 1 << 6;
    case 'TRACE':
      return 1 << 7;
    case 'CONNECT':
      return 1 << 8;
    default:
      return OTHER_METHOD;
  }
}

/** A route's methods as a mask, ANY_METHOD when it sets none. */
export function methodMask(methods: readonly string[] | null): number {
  if (methods === null || methods.length === 0) return ANY_METHOD;
  let mask = 0;
  for (const method of methods) mask |= methodBit(method);
  return mask;
}

export function methodMatches(methods: readonly string[], method: string): boolean {
  for (let i = 0; i < methods.length; i++) if (methods[i] === method) return true;
  return false;
}

export function serverNameMatches(snis: readonly HostPattern[], sni: string | undefined): boolean {
  if (sni === undefined || sni.length === 0) return false;
  const name = normalizeServerName(sni);
  for (let i = 0; i < snis.length; i++) if (hostMatches(snis[i]!, name)) return true;
  return false;
}
