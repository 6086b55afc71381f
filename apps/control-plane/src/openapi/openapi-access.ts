import { rolesFor } from '../access/access-rules';

type JsonSchema = Record<string, unknown>;

const METHODS = ['get', 'put', 'post', 'patch', 'delete', 'head'];
const ERROR_MESSAGE = { content: { 'application/json': { schema: { type: 'object', properties: { message: { type: 'string' } }, required: ['message'] } } } };

/** Both ways of sending an admin token: `Authorization: Bearer` and Kong's `Kong-Admin-Token`. */
export const SECURITY_SCHEMES = {
  bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'tgk_ admin token', description: 'Authorization: Bearer tgk_...' },
  kongAdminToken: { type: 'apiKey', in: 'header', name: 'Kong-Admin-Token', description: "Kong's admin token header" },
};

/** Either scheme will do; until the first token exists a loopback control plane needs none. */
export const SECURITY = [{ bearerAuth: [] }, { kongAdminToken: [] }];

/** `/services/{key}` as the access rules see it (`/services/:key`). */
function routePattern(path: string): string {
  return path.replace(/\{(\w+)\}/g, ':$1');
}

/**
 * Marks every operation with the roles that may call it (`x-tollgate-roles`, from the same
 * access rules the guard enforces), its security, and the 401 and 403 answers.
 */
export function annotateAccess(paths: Record<string, Record<string, unknown>>): void {
  for (const [path, item] of Object.entries(paths)) {
    for (const method of METHODS) {
      const operation = item[method] as JsonSchema | undefined;
      if (!operation) continue;
      const roles = rolesFor(method.toUpperCase(), routePattern(path)) ?? [];
      operation['x-tollgate-roles'] = [...roles];
      operation.security = SECURITY;
      const responses = (operation.responses ??= {}) as Record<string, unknown>;
      responses[401] = { description: 'No admin token, or an unknown, revoked or expired one', ...ERROR_MESSAGE };
      responses[403] = { description: `A role other than ${roles.join(', ') || 'none'}`, ...ERROR_MESSAGE };
    }
  }
}
