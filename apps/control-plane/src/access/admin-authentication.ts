import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { randomUUID } from 'node:crypto';
import { AdminTokenVerifier } from './admin-tokens/admin-token-verifier';
import { LOCAL_CALLER, runAsCaller, type Caller } from './caller';

const REQUEST_ID = /^[\w.:-]{1,128}$/;
const BEARER = /^Bearer\s+(\S+)\s*$/i;

const NO_TOKEN = { message: 'An admin token is required: send it as Authorization: Bearer <token> or Kong-Admin-Token: <token>' };
const BAD_TOKEN = { message: 'Invalid or expired admin token' };

/** The secret a request carries: `Authorization: Bearer <t>` or Kong's `Kong-Admin-Token: <t>`. */
export function tokenOf(req: Request): string | undefined {
  const kong = req.headers['kong-admin-token'];
  if (typeof kong === 'string' && kong !== '') return kong.trim();
  const match = BEARER.exec(req.headers.authorization ?? '');
  return match?.[1];
}

export interface AuthenticationOptions {
  /** The admin API listens on loopback only: without any token set up, requests need none. */
  readonly openWithoutTokens: boolean;
}

/**
 * Before any route: who is calling (a token's holder, or `local` while no token exists on a
 * loopback-only API), refused with 401 otherwise. The caller and the request id travel with the
 * request (AsyncLocalStorage) to the access guard, the tenant filters and the audit log.
 */
export function adminAuthentication(verifier: AdminTokenVerifier, options: AuthenticationOptions): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const header = req.headers['x-request-id'];
    const requestId = typeof header === 'string' && REQUEST_ID.test(header) ? header : randomUUID();
    res.setHeader('X-Request-Id', requestId);
    identify(verifier, options, tokenOf(req), requestId).then(
      (caller) => {
        if (caller === null) {
          res.status(401).json(tokenOf(req) === undefined ? NO_TOKEN : BAD_TOKEN);
          return;
        }
        runAsCaller(caller, next);
      },
      (err: unknown) => next(err),
    );
  };
}

async function identify(verifier: AdminTokenVerifier, options: AuthenticationOptions, secret: string | undefined, requestId: string): Promise<Caller | null> {
  if (secret !== undefined) return verifier.verify(secret, requestId);
  if (options.openWithoutTokens && !(await verifier.anyTokenExists())) return { ...LOCAL_CALLER, requestId };
  return null;
}
