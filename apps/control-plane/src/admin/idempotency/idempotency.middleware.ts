import { Logger } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { setTimeout as sleep } from 'node:timers/promises';
import { AdminError, AdminErrorCode } from '../admin-error';
import { adminErrorOf } from '../database-outage';
import { IdempotencyKeys, KEY_LIFETIME_HOURS, type KeyClaim, type StoredKey } from './idempotency-keys';
import { keyScope, requestFingerprint } from './request-fingerprint';

export const IDEMPOTENCY_HEADER = 'idempotency-key';
const KEY_FORMAT = /^[\x21-\x7e]([\x20-\x7e]{0,253}[\x21-\x7e])?$/;
/** A retry arriving while the first request runs waits this long for its answer, then gets a 409. */
const WAIT_MS = 5000;
const POLL_MS = 20;
/** A first request this old without an answer died with its control plane. */
const ABANDONED_SECONDS = 300;
/** Answers bigger than this are not kept (no admin create answers anything near it). */
const MAX_KEPT_BYTES = 1024 * 1024;
const BOOKKEEPING_RETRIES = 60;

const logger = new Logger('Idempotency');

/**
 * `Idempotency-Key` on admin POSTs, with Stripe's semantics: the first request with a key runs
 * and its 2xx answer (status and body) is kept 24 h; the same key with the same request gets that
 * answer again (`Idempotent-Replayed: true`) and creates nothing; with another request it is a 422.
 * A retry racing the first waits for its answer. A refused or failed request keeps nothing, so it
 * may be retried with the same key.
 */
export function idempotency(keys: IdempotencyKeys) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const header = req.headers[IDEMPOTENCY_HEADER];
    if (req.method !== 'POST' || header === undefined) {
      next();
      return;
    }
    handle(keys, req, res, next, Array.isArray(header) ? header.join(', ') : header).catch((err: unknown) => {
      const error = adminErrorOf(err);
      if (!error) logger.error(err instanceof Error ? err.stack : String(err));
      const answer = error ?? new AdminError(AdminErrorCode.DATABASE_ERROR, 'An unexpected error occurred');
      if (answer.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(answer.retryAfterSeconds));
      res.status(answer.status).json(answer.toBody());
    });
  };
}

async function handle(keys: IdempotencyKeys, req: Request, res: Response, next: NextFunction, key: string): Promise<void> {
  if (!KEY_FORMAT.test(key)) {
    throw new AdminError(AdminErrorCode.INVALID_IDEMPOTENCY_KEY, 'Idempotency-Key must be 1 to 255 visible ASCII characters (a UUID is a good key)', {
      'Idempotency-Key': key.slice(0, 300),
    });
  }
  const claim: KeyClaim = { scope: keyScope(req), key, fingerprint: requestFingerprint(req), method: req.method, path: req.originalUrl };
  const deadline = Date.now() + WAIT_MS;
  while (!(await keys.claim(claim))) {
    const stored = await waitForAnswer(keys, claim, deadline);
    if (stored) {
      replay(res, stored);
      return;
    }
    // Gone while we waited: the first request was refused and released the key; take it.
  }
  keepAnswer(keys, claim, res);
  next();
}

/** The first request's kept answer once it has one; null if it released the key; throws 422 or 409. */
async function waitForAnswer(keys: IdempotencyKeys, claim: KeyClaim, deadline: number): Promise<StoredKey | null> {
  for (;;) {
    const stored = await keys.find(claim.scope, claim.key);
    if (!stored) return null;
    if (stored.fingerprint !== claim.fingerprint) throw mismatch(claim.key, stored);
    if (stored.status !== null) return stored;
    if (stored.ageSeconds > ABANDONED_SECONDS || Date.now() >= deadline) throw inProgress(claim.key, stored);
    await sleep(POLL_MS);
  }
}

function mismatch(key: string, stored: StoredKey): AdminError {
  return new AdminError(
    AdminErrorCode.IDEMPOTENCY_KEY_REUSED,
    `Idempotency-Key '${key}' was used in the last ${KEY_LIFETIME_HOURS} hours for a different request (${stored.method} ${stored.path} with other parameters): use a new key for a new request`,
    { 'Idempotency-Key': key },
  );
}

function inProgress(key: string, stored: StoredKey): AdminError {
  const message =
    stored.ageSeconds > ABANDONED_SECONDS
      ? `the first request with Idempotency-Key '${key}' never finished (the control plane serving it may have stopped): check whether it took effect, then retry with a new key`
      : `a request with Idempotency-Key '${key}' is still in progress: retry once it has finished`;
  return new AdminError(AdminErrorCode.IDEMPOTENCY_KEY_IN_PROGRESS, message, { 'Idempotency-Key': key }, 1);
}

function replay(res: Response, stored: StoredKey): void {
  res.status(stored.status!);
  if (stored.contentType) res.setHeader('Content-Type', stored.contentType);
  res.setHeader('Idempotent-Replayed', 'true');
  res.end(stored.response ?? '');
}

/**
 * Holds back the end of the first request's answer until it is recorded (so a retry sent as soon
 * as the answer arrives finds it), then sends it. Bookkeeping that fails (the database went away)
 * is retried in the background and never withholds the answer.
 */
function keepAnswer(keys: IdempotencyKeys, claim: KeyClaim, res: Response): void {
  const chunks: Buffer[] = [];
  let size = 0;
  const collect = (chunk: unknown, encoding?: unknown) => {
    if (chunk === undefined || chunk === null || typeof chunk === 'function') return;
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk), typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
    size += buffer.length;
    if (size <= MAX_KEPT_BYTES) chunks.push(buffer);
  };
  const write = res.write.bind(res) as (...args: unknown[]) => boolean;
  const end = res.end.bind(res) as (...args: unknown[]) => Response;
  res.write = ((...args: unknown[]) => {
    collect(args[0], args[1]);
    return write(...args);
  }) as Response['write'];
  res.end = ((...args: unknown[]) => {
    collect(args[0], args[1]);
    const kept = res.statusCode >= 200 && res.statusCode < 300 && size <= MAX_KEPT_BYTES;
    const contentType = res.getHeader('content-type');
    const record = kept
      ? () => keys.complete(claim.scope, claim.key, res.statusCode, contentType === undefined ? null : String(contentType), Buffer.concat(chunks).toString('utf8'))
      : () => keys.release(claim.scope, claim.key);
    record()
      .catch(() => retryInBackground(record, claim.key))
      .finally(() => end(...args));
    return res;
  }) as Response['end'];
}

function retryInBackground(record: () => Promise<void>, key: string, attempt = 1): void {
  const timer = setTimeout(() => {
    record().catch((err: unknown) => {
      if (attempt < BOOKKEEPING_RETRIES) retryInBackground(record, key, attempt + 1);
      else logger.warn(`could not record the outcome of Idempotency-Key '${key}': ${String(err)}`);
    });
  }, 1000);
  timer.unref();
}
