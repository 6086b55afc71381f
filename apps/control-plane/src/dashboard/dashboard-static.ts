import type { NextFunction, Request, Response } from 'express';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

/** The built dashboard's files (tools/build-dashboard.js) and their types: nothing else is served. */
const FILES: Readonly<Record<string, string>> = {
  '/': 'text/html; charset=utf-8',
  '/index.html': 'text/html; charset=utf-8',
  '/app.js': 'text/javascript; charset=utf-8',
  '/dashboard.css': 'text/css; charset=utf-8',
  '/uPlot.min.css': 'text/css; charset=utf-8',
};

/** Where the built files are: TOLLGATE_DASHBOARD_DIR, or dist/dashboard of the working directory. */
export function dashboardDir(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.TOLLGATE_DASHBOARD_DIR ?? join(process.cwd(), 'dist/dashboard'));
}

/**
 * `/dashboard`: the page is public static files (no token needed to load them); everything it
 * shows comes from the admin API, which checks the Bearer token the page sends. Mounted before
 * authentication; `/dashboard` without a slash redirects so relative asset paths resolve.
 */
export function dashboardStatic(dir: string) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    if (req.originalUrl === '/dashboard') return void res.redirect(301, '/dashboard/');
    const type = FILES[req.path];
    if (type === undefined) return next();
    readFile(join(dir, req.path === '/' ? 'index.html' : req.path.slice(1))).then(
      (body) => {
        res.setHeader('content-type', type);
        res.setHeader('cache-control', 'no-cache');
        res.setHeader('x-content-type-options', 'nosniff');
        res.status(200).end(req.method === 'HEAD' ? undefined : body);
      },
      () => res.status(404).json({ message: 'The dashboard is not built: run `node tools/build-dashboard.js`' }),
    );
  };
}
