import type { Route, Service } from '@tollgate/config';
import fc from 'fast-check';
import { compileRouter } from './compile-router';
import { aRequest, aRoute, aService } from './route-fixtures';
import type { RouteRequest, Router } from './router-types';

const HOSTS = ['a.test', 'b.test', '*.wild.test', 'port.test:8443'];
const PATHS = ['/', '/users', '/users/list', '/orders', '~/users/\\d+$', '~/orders/(?<id>[a-z]+)', '~/bad(regex'];
const METHODS = ['GET', 'POST', 'PURGE'];

const routeFields = fc.record({
  hosts: fc.option(fc.subarray(HOSTS, { minLength: 1, maxLength: 2 }), { nil: null }),
  paths: fc.option(fc.subarray(PATHS, { minLength: 1, maxLength: 3 }), { nil: null }),
  methods: fc.option(fc.subarray(METHODS, { minLength: 1 }), { nil: null }),
  regex_priority: fc.integer({ min: 0, max: 2 }),
  service: fc.integer({ min: 0, max: 2 }),
});

type Fields = { hosts: string[] | null; paths: string[] | null; methods: string[] | null; regex_priority: number; service: number };

/** One edit to a config; route edits replace the route object, as a delta does. */
const edit = fc.oneof(
  fc.record({ kind: fc.constant('add' as const), fields: routeFields }),
  fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), fields: routeFields }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('toggle-service' as const), service: fc.integer({ min: 0, max: 2 }) }),
);

const REQUESTS: RouteRequest[] = [];
for (const host of ['a.test', 'b.test', 'x.wild.test', 'port.test:8443', 'port.test', 'other.test']) {
  for (const path of ['/', '/users', '/users/list/x', '/users/42', '/orders/abc', '/orders', '/nothing']) {
    for (const method of ['GET', 'POST', 'PURGE', 'DELETE']) REQUESTS.push(aRequest({ host, path, method }));
  }
}

/** What every request routes to: route id and upstream path, or null. */
function outcomes(router: Router): (string | null)[] {
  return REQUESTS.map((req) => {
    const match = router.match(req);
    return match === null ? null : `${match.route.id} ${match.upstreamPath} ${match.matchedHost} ${JSON.stringify(match.captures)}`;
  });
}

describe('compileRouter given the previous router', () => {
  it('routes every request as a compile from scratch would, through any sequence of edits', () => {
    fc.assert(
      fc.property(fc.array(routeFields, { maxLength: 12 }), fc.array(fc.array(edit, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 6 }), (initial, steps) => {
        let services: Service[] = [aService({ path: '/s0' }), aService({ path: '/s1' }), aService({ path: null })];
        const route = (fields: Fields, id?: string): Route => {
          const created = aRoute({ ...fields, service: { id: services[fields.service]!.id } });
          return id === undefined ? created : { ...created, id };
        };
        let routes = initial.map((fields) => route(fields));
        let router = compileRouter(routes, new Map(services.map((s) => [s.id, s])));
        for (const step of steps) {
          for (const change of step) {
            if (change.kind === 'add') routes = [...routes, route(change.fields)];
            else if (change.kind === 'replace' && routes.length > 0) {
              const at = change.at % routes.length;
              routes = routes.map((r, i) => (i === at ? route(change.fields, r.id) : r));
            } else if (change.kind === 'delete' && routes.length > 0) routes = routes.filter((_, i) => i !== change.at % routes.length);
            else if (change.kind === 'toggle-service') {
              services = services.map((s, i) => (i === change.service ? { ...s, enabled: !s.enabled } : s));
            }
          }
          const byId = new Map(services.map((s) => [s.id, s]));
          router = compileRouter(routes, byId, router);
          const fresh = compileRouter(routes, byId);
          expect(outcomes(router)).toEqual(outcomes(fresh));
          expect(router.size).toBe(fresh.size);
          expect(new Set(router.rejected.map((r) => JSON.stringify(r)))).toEqual(new Set(fresh.rejected.map((r) => JSON.stringify(r))));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('compiles again only the routes that are not the same objects as before', () => {
    const service = aService();
    const routes = [aRoute({ name: 'kept', paths: ['/kept'], service: { id: service.id } }), aRoute({ name: 'edited', paths: ['/old'] })];
    const first = compileRouter(routes, new Map([[service.id, service]]));
    const edited = { ...routes[1]!, paths: ['/new'] };
    const second = compileRouter([routes[0]!, edited], new Map([[service.id, service]]), first);
    const keptEntry = (router: Router) => router.match(aRequest({ path: '/kept' }))!;
    expect((second as unknown as { compilations: { byRoute: Map<string, unknown> } }).compilations.byRoute.get(routes[0]!.id)).toBe(
      (first as unknown as { compilations: { byRoute: Map<string, unknown> } }).compilations.byRoute.get(routes[0]!.id),
    );
    expect(keptEntry(second).route).toBe(routes[0]);
    expect(second.match(aRequest({ path: '/old' }))).toBeNull();
    expect(second.match(aRequest({ path: '/new' }))?.route.name).toBe('edited');
  });

  it('compiles a route again when its service changes, even if the route did not', () => {
    const service = aService({ path: '/v1' });
    const route = aRoute({ paths: ['/x'], service: { id: service.id } });
    const first = compileRouter([route], new Map([[service.id, service]]));
    const moved = { ...service, path: '/v2' };
    const second = compileRouter([route], new Map([[service.id, moved]]), first);
    expect(first.match(aRequest({ path: '/x/y' }))?.upstreamPath).toBe('/v1/y');
    expect(second.match(aRequest({ path: '/x/y' }))?.upstreamPath).toBe('/v2/y');
    const disabled = compileRouter([route], new Map([[service.id, { ...moved, enabled: false }]]), second);
    expect(disabled.match(aRequest({ path: '/x/y' }))).toBeNull();
    expect(disabled.size).toBe(0);
  });
});

