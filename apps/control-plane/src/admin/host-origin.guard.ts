import type { NextFunction, Request, Response } from 'express';
import { AdminError, AdminErrorCode } from './admin-error';
import { isAllowedOrigin, isOwnHost, type HostOriginPolicy } from './host-origin-policy';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const CORS_HEADERS = 'Content-Type, Authorization, Kong-Admin-Token, Idempotency-Key';
const CORS_METHODS = 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS';

function refuse(res: Response, error: AdminError): void {
  res.status(error.status).json(error.toBody());
}

/**
 * Express middleware ahead of everything else on the admin API: a request for a Host that is not
 * one of its names is a 421, a write from a page of another origin a 403. Requests without an
 * Origin (curl, the CLI, data-plane tooling) are not browsers' and pass. A listed origin also gets
 * CORS headers, so a dashboard served there can read the answers.
 */
export function hostOriginGuard(policy: HostOriginPolicy) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const host = req.headers.host;
    // HTTP/1.0 without Host is not a browser; HTTP/1.1 without one never gets here (Node answers 400).
    if (host !== undefined && !isOwnHost(policy, host, req.socket.localAddress)) {
      const message = `Host '${host}' is not a name of this admin API: add it to TOLLGATE_ADMIN_HOSTS to serve it`;
      refuse(res, new AdminError(AdminErrorCode.HOST_NOT_ALLOWED, message, { host }));
      return;
    }
    const origin = req.headers.origin;
    const listed = origin !== undefined && policy.origins.has(origin.toLowerCase());
    if (listed) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Vary', 'Origin');
      if (req.method === 'OPTIONS' && req.headers['access-control-request-method']) {
        res.setHeader('Access-Control-Allow-Methods', CORS_METHODS);
        res.setHeader('Access-Control-Allow-Headers', CORS_HEADERS);
        res.setHeader('Access-Control-Max-Age', '600');
        res.status(204).end();
        return;
      }
    }
    if (SAFE_METHODS.has(req.method)) {
      next();
      return;
    }
    if (origin !== undefined ? !listed && !isAllowedOrigin(policy, origin, host ?? '') : isCrossSiteFetch(req)) {
      const shown = origin ?? `a ${String(req.headers['sec-fetch-site'])} page`;
      const message = `Origin '${shown}' may not write to this admin API: add it to TOLLGATE_ADMIN_ALLOW_ORIGINS to allow a dashboard served there`;
      refuse(res, new AdminError(AdminErrorCode.ORIGIN_NOT_ALLOWED, message, { origin: origin ?? null }));
      return;
    }
    next();
  };
}

/** A browser that sent no Origin still says where the request came from. */
function isCrossSiteFetch(req: Request): boolean {
  const site = req.headers['sec-fetch-site'];
  return site === 'cross-site' || site === 'same-site';
}
