import { AsyncLocalStorage } from 'node:async_hooks';
import type { NextFunction, Request, Response } from 'express';

/** What an admin write needs to know about the request it serves, beyond its body. */
export interface AdminRequestScope {
  /** `?force=true`: write even what some connected data plane cannot run (it stops taking config). */
  readonly force: boolean;
}

const storage = new AsyncLocalStorage<AdminRequestScope>();

/** Express middleware: opens the scope every service call of this request can read. */
export function adminRequestScope(req: Request, _res: Response, next: NextFunction): void {
  const force = new URL(req.originalUrl ?? req.url, 'http://admin').searchParams.get('force');
  storage.run({ force: force === 'true' || force === '1' }, next);
}

/** The current request's scope; outside a request (a CLI import, a test) nothing is forced. */
export function currentAdminRequest(): AdminRequestScope {
  return storage.getStore() ?? { force: false };
}
