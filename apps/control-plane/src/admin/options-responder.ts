import type { NextFunction, Request, Response } from 'express';
import { allowedMethods } from './allowed-methods';

/**
 * Kong's OPTIONS (kong/api/api_helpers.lua): every admin path answers 204 naming the methods it
 * serves in `Allow` and `Access-Control-Allow-Methods`, and echoes the headers a preflight asks
 * for (or `Content-Type`). It runs before authentication: a browser's preflight carries no token.
 * Which origin may read the answer is the host/origin guard's decision, made before this.
 */
export function optionsResponder(req: Request, res: Response, next: NextFunction): void {
  if (req.method !== 'OPTIONS') {
    next();
    return;
  }
  const allow = allowedMethods(req);
  if (allow.length === 0) {
    next();
    return;
  }
  const methods = allow.join(', ');
  const asked = req.headers['access-control-request-headers'];
  res.setHeader('Allow', methods);
  res.setHeader('Access-Control-Allow-Methods', methods);
  res.setHeader('Access-Control-Allow-Headers', typeof asked === 'string' && asked !== '' ? asked : 'Content-Type');
  res.status(204).end();
}
