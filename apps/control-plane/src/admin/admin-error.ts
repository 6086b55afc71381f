import type { FieldErrors } from '@tollgate/config';

/** Kong's error codes (kong/db/errors.lua), plus Tollgate's own from 100 on. */
export enum AdminErrorCode {
  INVALID_PRIMARY_KEY = 1,
  SCHEMA_VIOLATION = 2,
  PRIMARY_KEY_VIOLATION = 3,
  FOREIGN_KEY_VIOLATION = 4,
  UNIQUE_VIOLATION = 5,
  NOT_FOUND = 6,
  INVALID_OFFSET = 7,
  DATABASE_ERROR = 8,
  INVALID_SIZE = 9,
  INVALID_OPTIONS = 11,
  OPERATION_UNSUPPORTED = 12,
  INVALID_DECLARATIVE_CONFIG = 14,
  REFERENCED_BY_OTHERS = 19,
  MALFORMED_BODY = 101,
  PAYLOAD_TOO_LARGE = 102,
  UNSUPPORTED_MEDIA_TYPE = 103,
  HOST_NOT_ALLOWED = 110,
  ORIGIN_NOT_ALLOWED = 111,
  INVALID_IDEMPOTENCY_KEY = 112,
  IDEMPOTENCY_KEY_REUSED = 113,
  IDEMPOTENCY_KEY_IN_PROGRESS = 114,
  DATABASE_UNAVAILABLE = 115,
  INVOICE_STATUS_CONFLICT = 104,
}

/** Exhaustive: a new code without a status and name does not compile. */
const RESPONSES: Record<AdminErrorCode, { status: number; name: string }> = {
  [AdminErrorCode.INVALID_PRIMARY_KEY]: { status: 400, name: 'invalid primary key' },
  [AdminErrorCode.SCHEMA_VIOLATION]: { status: 400, name: 'schema violation' },
  [AdminErrorCode.PRIMARY_KEY_VIOLATION]: { status: 400, name: 'primary key violation' },
  [AdminErrorCode.FOREIGN_KEY_VIOLATION]: { status: 400, name: 'foreign key violation' },
  [AdminErrorCode.UNIQUE_VIOLATION]: { status: 409, name: 'unique constraint violation' },
  [AdminErrorCode.NOT_FOUND]: { status: 404, name: 'not found' },
  [AdminErrorCode.INVALID_OFFSET]: { status: 400, name: 'invalid offset' },
  [AdminErrorCode.DATABASE_ERROR]: { status: 500, name: 'database error' },
  [AdminErrorCode.INVALID_SIZE]: { status: 400, name: 'invalid size' },
  [AdminErrorCode.INVALID_OPTIONS]: { status: 400, name: 'invalid options' },
  [AdminErrorCode.OPERATION_UNSUPPORTED]: { status: 405, name: 'operation unsupported' },
  [AdminErrorCode.INVALID_DECLARATIVE_CONFIG]: { status: 400, name: 'invalid declarative configuration' },
  [AdminErrorCode.REFERENCED_BY_OTHERS]: { status: 400, name: 'referenced by others' },
  [AdminErrorCode.MALFORMED_BODY]: { status: 400, name: 'malformed body' },
  [AdminErrorCode.PAYLOAD_TOO_LARGE]: { status: 413, name: 'payload too large' },
  [AdminErrorCode.UNSUPPORTED_MEDIA_TYPE]: { status: 415, name: 'unsupported media type' },
  // 421 Misdirected Request: the request was meant for another server's name (DNS rebinding).
  [AdminErrorCode.HOST_NOT_ALLOWED]: { status: 421, name: 'host not allowed' },
  [AdminErrorCode.ORIGIN_NOT_ALLOWED]: { status: 403, name: 'origin not allowed' },
  [AdminErrorCode.INVALID_IDEMPOTENCY_KEY]: { status: 400, name: 'invalid idempotency key' },
  // Stripe answers a reused key with other parameters 400; 422 tells it apart from a bad body.
  [AdminErrorCode.IDEMPOTENCY_KEY_REUSED]: { status: 422, name: 'idempotency key reused' },
  [AdminErrorCode.IDEMPOTENCY_KEY_IN_PROGRESS]: { status: 409, name: 'idempotency key in progress' },
  [AdminErrorCode.DATABASE_UNAVAILABLE]: { status: 503, name: 'database unavailable' },
  [AdminErrorCode.INVOICE_STATUS_CONFLICT]: { status: 409, name: 'invoice status conflict' },
};

export interface AdminErrorBody {
  code: number;
  name: string;
  message: string;
  /** Kong names the bad query options `options` (kong/db/errors.lua), everything else `fields`. */
  fields?: FieldErrors | Record<string, unknown>;
  options?: Record<string, unknown>;
}

/** An error an admin-API caller caused; rendered in Kong's body shape by AdminExceptionFilter. */
export class AdminError extends Error {
  constructor(
    readonly code: AdminErrorCode,
    message: string,
    readonly fields: FieldErrors | Record<string, unknown> = {},
    /** Sent as `Retry-After` (the database is down, a request with the same key is running). */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }

  get status(): number {
    return RESPONSES[this.code].status;
  }

  toBody(): AdminErrorBody {
    const base = { code: this.code, name: RESPONSES[this.code].name, message: this.message };
    return this.code === AdminErrorCode.INVALID_OPTIONS ? { ...base, options: this.fields } : { ...base, fields: this.fields };
  }
}
