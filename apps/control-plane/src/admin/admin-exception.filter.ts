import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { QueryFailedError } from 'typeorm';
import { AccessDenied } from '../access/access-denied';
import { AdminError, AdminErrorCode } from './admin-error';
import { allowedMethods } from './allowed-methods';
import { databaseUnavailable, isDatabaseUnavailable } from './database-outage';

/**
 * Postgres refused a value the caller sent that no schema describes (a NUL byte in a path key or
 * a query filter, a key too big for its unique index): SQLSTATE classes 22 and 54.
 */
function isRejectedValue(exception: unknown): exception is QueryFailedError {
  return exception instanceof QueryFailedError && /^(22|54)/.test(String((exception as { code?: unknown }).code));
}

/** Renders every error in Kong's `{code, name, message, fields}` shape; never leaks a stack. */
@Catch()
export class AdminExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('AdminApi');

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    if (exception instanceof AccessDenied) {
      res.status(exception.status).json({ message: exception.message });
      return;
    }
    if (exception instanceof AdminError) {
      if (exception.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(exception.retryAfterSeconds));
      res.status(exception.status).json(exception.toBody());
      return;
    }
    if (isDatabaseUnavailable(exception)) {
      const error = databaseUnavailable();
      res.setHeader('Retry-After', String(error.retryAfterSeconds));
      res.status(error.status).json(error.toBody());
      return;
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      if (status === 404) {
        // No route for this method: a path served with other methods is a 405 naming them.
        const req = host.switchToHttp().getRequest<Request>();
        const allow = allowedMethods(req);
        if (allow.length > 0 && !allow.includes(req.method)) {
          res.setHeader('Allow', allow.join(', '));
          res.status(405).json(new AdminError(AdminErrorCode.OPERATION_UNSUPPORTED, 'Method not allowed').toBody());
          return;
        }
      }
      const code = status === 404 ? AdminErrorCode.NOT_FOUND : AdminErrorCode.SCHEMA_VIOLATION;
      const message = status === 404 ? 'Not found' : exception.message;
      res.status(status).json(new AdminError(code, message).toBody());
      return;
    }
    if (isRejectedValue(exception)) {
      res.status(400).json(new AdminError(AdminErrorCode.SCHEMA_VIOLATION, `schema violation (${exception.message})`).toBody());
      return;
    }
    this.logger.error(exception instanceof Error ? exception.stack : String(exception));
    res.status(500).json(new AdminError(AdminErrorCode.DATABASE_ERROR, 'An unexpected error occurred').toBody());
  }
}
