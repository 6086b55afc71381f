import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { AccessDenied } from './access-denied';
import { rolesFor } from './access-rules';
import { currentCaller } from './caller';

/**
 * Every admin route passes here: the caller's role must be among the roles of the route's
 * family. A route without a rule is refused to everyone (and fails the route-table test).
 */
@Injectable()
export class AccessGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<Request>();
    const routePath = (req.route as { path?: string } | undefined)?.path ?? req.path;
    const roles = rolesFor(req.method, routePath);
    if (!roles) throw new AccessDenied(403, `no access rule covers ${req.method} ${routePath}`);
    const caller = currentCaller();
    if (!roles.includes(caller.role)) {
      throw new AccessDenied(403, `the '${caller.role}' role may not ${req.method === 'GET' || req.method === 'HEAD' ? 'read' : 'change'} this`);
    }
    return true;
  }
}
