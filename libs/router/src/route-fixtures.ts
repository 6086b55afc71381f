import type { Route, Service } from '@tollgate/config';
import type { RouteRequest } from './router-types';

/** Test fixtures: entities with Kong's defaults, overridden per case. */
let sequence = 0;

export function aRoute(fields: Partial<Route> = {}): Route {
  sequence++;
  return {
    id: `00000000-0000-4000-8000-${String(sequence).padStart(12, '0')}`,
    created_at: 1_700_000_000 + sequence,
    updated_at: 1_700_000_000 + sequence,
    tags: null,
    name: null,
    protocols: ['http', 'https'],
    methods: null,
    hosts: null,
    paths: null,
    headers: null,
    snis: null,
    https_redirect_status_code: 426,
    regex_priority: 0,
    strip_path: true,
    path_handling: 'v0',
    preserve_host: false,
    request_buffering: true,
    response_buffering: true,
    service: null,
    regions: [],
    ...fields,
  };
}

export function aService(fields: Partial<Service> = {}): Service {
  sequence++;
  return {
    id: `10000000-0000-4000-8000-${String(sequence).padStart(12, '0')}`,
    created_at: 1_700_000_000,
    updated_at: 1_700_000_000,
    tags: null,
    name: null,
    retries: 5,
    protocol: 'http',
    host: 'upstream.test',
    port: 80,
    path: null,
    connect_timeout: 60000,
    write_timeout: 60000,
    read_timeout: 60000,
    client_certificate: null,
    tls_verify: null,
    tls_verify_depth: null,
    ca_certificates: null,
    enabled: true,
    regions: [],
    ...fields,
  };
}

export function aRequest(fields: Partial<RouteRequest> = {}): RouteRequest {
  return { method: 'GET', host: 'example.com', path: '/', headers: {}, protocol: 'http', ...fields };
}
