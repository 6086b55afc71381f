import { isUtf8 } from 'node:buffer';
import { AdminError, AdminErrorCode } from './admin-error';

/**
 * Checks on a raw admin body that no entity schema can make: its bytes are UTF-8 (never stored
 * as U+FFFD), and a JSON body nests no deeper than any entity does (a declarative file with a
 * plugin config is about ten levels), so no recursive walk downstream can run out of stack.
 */

export const MAX_JSON_DEPTH = 32;

function malformed(message: string): AdminError {
  return new AdminError(AdminErrorCode.MALFORMED_BODY, message);
}

/** Length of the UTF-8 sequence a lead byte starts and the range of its second byte, or 0 if it starts none. */
function sequenceAt(bytes: Uint8Array, i: number): number {
  const b = bytes[i]!;
  if (b < 0x80) return 1;
  const [length, low, high] =
    b >= 0xc2 && b <= 0xdf ? [2, 0x80, 0xbf]
    : b === 0xe0 ? [3, 0xa0, 0xbf]
    : b === 0xed ? [3, 0x80, 0x9f] // no UTF-16 surrogates
    : b >= 0xe1 && b <= 0xef ? [3, 0x80, 0xbf]
    : b === 0xf0 ? [4, 0x90, 0xbf]
    : b >= 0xf1 && b <= 0xf3 ? [4, 0x80, 0xbf]
    : b === 0xf4 ? [4, 0x80, 0x8f]
    : [0, 0, 0];
  if (length === 0 || i + length > bytes.length) return 0;
  const second = bytes[i + 1]!;
  if (second < low || second > high) return 0;
  for (let k = 2; k < length; k++) if ((bytes[i + k]! & 0xc0) !== 0x80) return 0;
  return length;
}

/** Offset of the first byte that does not start a valid UTF-8 sequence; called only once isUtf8 said no. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; ) {
    const length = sequenceAt(bytes, i);
    if (length === 0) return i;
    i += length;
  }
  return -1;
}

export function assertUtf8(raw: Buffer, what: string): void {
  if (isUtf8(raw)) return;
  const at = firstInvalidUtf8(raw);
  throw malformed(`${what} is not valid UTF-8: byte 0x${raw[at]!.toString(16).padStart(2, '0')} at offset ${at} starts no UTF-8 character`);
}

/** Scans brackets outside strings, so a body nested a million deep is refused before it is parsed. */
export function assertJsonDepth(text: string, max = MAX_JSON_DEPTH): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: the next character is escaped
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) throw malformed(`Cannot parse JSON body: nested deeper than ${max} levels (at character ${i})`);
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
}

/** Percent-decodes a form value to bytes, keeping a `%` that starts no escape as it is (Kong does too). */
function percentDecode(text: string): Buffer {
  const parts: Buffer[] = [];
  let last = 0;
  for (const match of text.matchAll(/%[0-9a-f]{2}/gi)) {
    parts.push(Buffer.from(text.slice(last, match.index), 'utf8'), Buffer.of(parseInt(match[0].slice(1), 16)));
    last = match.index + 3;
  }
  parts.push(Buffer.from(text.slice(last), 'utf8'));
  return Buffer.concat(parts);
}

/** qs's decoder for form bodies: refuses a percent-encoded value that is not UTF-8 instead of keeping it raw. */
export function decodeFormComponent(text: string): string {
  const spaced = text.replace(/\+/g, ' ');
  if (!spaced.includes('%')) return spaced;
  try {
    return decodeURIComponent(spaced);
  } catch {
    const bytes = percentDecode(spaced);
    if (!isUtf8(bytes)) throw malformed(`form body: '${text.slice(0, 100)}' is not valid UTF-8 once percent-decoded`);
    return bytes.toString('utf8');
  }
}
