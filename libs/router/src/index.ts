export { compileRouter, compileRouterSteps } from './compile-router';
export { normalizePath } from './normalize-path';
export type { RejectedRoutePath, RouteMatch, RouteRequest, Router } from './router-types';
