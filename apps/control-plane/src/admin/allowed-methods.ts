import type { Request } from 'express';

/** The parts of Express 5's router this reads (not in its public types). */
interface RouteLayer {
  match(path: string): boolean;
  route?: { _methods(): string[] };
}

/**
 * The methods the admin API serves at a path no route took for this request's method: what a 405
 * names in `Allow`. Empty when no route has the path at all (a 404). Only called on the error
 * path, so walking the router's layers is fine.
 */
export function allowedMethods(req: Request): string[] {
  const stack = (req.app as unknown as { router?: { stack?: RouteLayer[] } }).router?.stack ?? [];
  const methods = new Set<string>();
  for (const layer of stack) {
    if (layer.route === undefined || !layer.match(req.path)) continue;
    for (const method of layer.route._methods()) methods.add(method.toUpperCase());
  }
  if (methods.has('GET')) methods.add('HEAD');
  if (methods.size > 0) methods.add('OPTIONS');
  return [...methods].sort();
}
