import { AdminError, AdminErrorCode } from './admin-error';

/** Seconds a caller is told to wait when Postgres cannot be reached; a restart takes a few. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

/**
 * SQLSTATEs of a server going away or refusing connections: 08 connection exceptions, 57P01-03
 * (shut down by an administrator, crashed, starting up or shutting down), 53300 too many connections.
 */
const UNAVAILABLE_SQLSTATE = /^(08...|57P0[123]|53300)$/;
const UNAVAILABLE_ERRNO = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
// node-postgres says so in words only, without a code.
const UNAVAILABLE_MESSAGE = /Connection terminated|not queryable|timeout exceeded when trying to connect|Connection closed|connect ECONNREFUSED/i;
/** TypeORM's, when the connection of a transaction ended between two of its statements (or before COMMIT). */
const RELEASED_RUNNER = new Set(['QueryRunnerAlreadyReleasedError', 'QueryRunnerProviderAlreadyReleasedError']);

/** Whether an error means Postgres could not be reached, as opposed to it refusing a statement. */
export function isDatabaseUnavailable(err: unknown, depth = 0): boolean {
  if (typeof err !== 'object' || err === null || depth > 4) return false;
  const { name, code, message, driverError, cause, errors } = err as {
    name?: unknown;
    code?: unknown;
    message?: unknown;
    driverError?: unknown;
    cause?: unknown;
    errors?: unknown;
  };
  if (typeof code === 'string' && (UNAVAILABLE_SQLSTATE.test(code) || UNAVAILABLE_ERRNO.has(code))) return true;
  if (typeof message === 'string' && UNAVAILABLE_MESSAGE.test(message)) return true;
  if (typeof name === 'string' && RELEASED_RUNNER.has(name)) return true;
  // TypeORM wraps the driver's error; a connect to `localhost` fails as an AggregateError of both addresses.
  if (driverError !== undefined && isDatabaseUnavailable(driverError, depth + 1)) return true;
  if (cause !== undefined && isDatabaseUnavailable(cause, depth + 1)) return true;
  return Array.isArray(errors) && errors.some((e) => isDatabaseUnavailable(e, depth + 1));
}

export function databaseUnavailable(): AdminError {
  return new AdminError(
    AdminErrorCode.DATABASE_UNAVAILABLE,
    `the database is unavailable: retry in ${DATABASE_RETRY_AFTER_SECONDS} seconds`,
    {},
    DATABASE_RETRY_AFTER_SECONDS,
  );
}

/** The admin error an exception answers as, when it is one the caller should see as such. */
export function adminErrorOf(err: unknown): AdminError | undefined {
  if (err instanceof AdminError) return err;
  return isDatabaseUnavailable(err) ? databaseUnavailable() : undefined;
}
