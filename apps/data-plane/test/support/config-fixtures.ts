import {
  ConfigHash,
  emptyEntities,
  type ConfigEntities,
  type ConfigSnapshot,
  type Acl,
  type BasicauthCredential,
  type Consumer,
  type HmacauthCredential,
  type JwtSecret,
  type KeyauthCredential,
  type Plugin,
  type Route,
  type Service,
  type Target,
  type Upstream,
} from '@tollgate/config';
import { randomUUID } from 'node:crypto';

/** Entities as a snapshot carries them, with Kong's defaults; tests override what they care about. */
const base = () => ({ id: randomUUID(), created_at: 1700000000, updated_at: 1700000000, tags: null });

export function service(overrides: Partial<Service> & Pick<Service, 'host' | 'port'>): Service {
  return {
    ...base(),
    name: null,
    retries: 5,
    protocol: 'http',
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
    ...overrides,
  };
}

export function route(svc: Service | null, overrides: Partial<Route> = {}): Route {
  return {
    ...base(),
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
    service: svc ? { id: svc.id } : null,
    regions: [],
    ...overrides,
  };
}

export function consumer(username: string, overrides: Partial<Consumer> = {}): Consumer {
  return { ...base(), username, custom_id: null, ...overrides };
}

export function keyauth(owner: Consumer, key: string, overrides: Partial<KeyauthCredential> = {}): KeyauthCredential {
  return { ...base(), consumer: { id: owner.id }, key, ttl: null, ...overrides };
}

export function basicauth(owner: Consumer, username: string, password: string): BasicauthCredential {
  return { ...base(), consumer: { id: owner.id }, username, password };
}

export function jwtSecret(owner: Consumer, key: string, overrides: Partial<JwtSecret> = {}): JwtSecret {
  return { ...base(), consumer: { id: owner.id }, key, secret: `${key}-secret`, rsa_public_key: null, algorithm: 'HS256', ...overrides };
}

export function acl(owner: Consumer, group: string): Acl {
  return { ...base(), consumer: { id: owner.id }, group };
}

export function hmacauth(owner: Consumer, username: string, secret: string): HmacauthCredential {
  return { ...base(), consumer: { id: owner.id }, username, secret };
}

interface PluginScope {
  route?: Route;
  service?: Service;
  consumer?: Consumer;
}

export function plugin(name: string, config: Record<string, unknown>, scope: PluginScope = {}, overrides: Partial<Plugin> = {}): Plugin {
  return {
    ...base(),
    name,
    instance_name: null,
    route: scope.route ? { id: scope.route.id } : null,
    service: scope.service ? { id: scope.service.id } : null,
    consumer: scope.consumer ? { id: scope.consumer.id } : null,
    config,
    protocols: ['grpc', 'grpcs', 'http', 'https'],
    enabled: true,
    regions: [],
    ...overrides,
  };
}

export function upstream(name: string, overrides: Partial<Upstream> = {}): Upstream {
  const unhealthy = { http_statuses: [429, 500, 503], tcp_failures: 0, timeouts: 0, http_failures: 0 };
  return {
    ...base(),
    name,
    algorithm: 'round-robin',
    hash_on: 'none',
    hash_fallback: 'none',
    hash_on_header: null,
    hash_fallback_header: null,
    hash_on_cookie: null,
    hash_on_cookie_path: '/',
    hash_on_query_arg: null,
    hash_fallback_query_arg: null,
    hash_on_uri_capture: null,
    hash_fallback_uri_capture: null,
    slots: 10000,
    healthchecks: {
      active: {
        type: 'http',
        timeout: 1,
        concurrency: 10,
        http_path: '/',
        https_verify_certificate: true,
        https_sni: null,
        headers: null,
        healthy: { interval: 0, http_statuses: [200, 302], successes: 0 },
        unhealthy: { interval: 0, http_statuses: [429, 404, 500, 501, 502, 503, 504, 505], tcp_failures: 0, timeouts: 0, http_failures: 0 },
      },
      passive: { type: 'http', healthy: { http_statuses: [200, 201, 202, 203, 204], successes: 0 }, unhealthy },
      threshold: 0,
    },
    host_header: null,
    client_certificate: null,
    use_srv_name: false,
    regions: [],
    ...overrides,
  };
}

export function target(of: Upstream, address: string, weight = 100): Target {
  return { ...base(), upstream: { id: of.id }, target: address, weight };
}

let nextVersion = 1;

/** A snapshot of the given collections (the rest empty), with its real hash and a fresh version. */
export function snapshot(entities: Partial<ConfigEntities>, version = nextVersion++): ConfigSnapshot {
  const complete = { ...emptyEntities(), ...entities };
  return { version, hash: ConfigHash.of(complete).hex(), entities: complete };
}
