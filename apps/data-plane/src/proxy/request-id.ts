import { randomBytes } from 'node:crypto';

/**
 * Request ids in the shape of nginx's `$request_id`, which Kong sends as X-Kong-Request-Id: 32
 * lower-case hex characters. A random prefix per process and a counter make them unique without
 * drawing randomness per request.
 */
const PREFIX = randomBytes(10).toString('hex');
const COUNTER_DIGITS = 12;
let counter = 0;

export function nextRequestId(): string {
  counter = counter === 0xffffffffffff ? 1 : counter + 1;
  return PREFIX + counter.toString(16).padStart(COUNTER_DIGITS, '0');
}
