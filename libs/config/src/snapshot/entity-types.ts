/**
 * The entities as they travel in snapshots and deltas: the admin API's JSON, foreign keys as
 * `{ id }`. Both planes read these types; the schemas in ../entities are their validation.
 */
export interface ForeignKey {
  readonly id: string;
}

interface Base {
  readonly id: string;
  readonly created_at: number;
  readonly updated_at: number;
  readonly tags: readonly string[] | null;
}

export interface Service extends Base {
  readonly name: string | null;
  readonly retries: number;
  readonly protocol: 'http' | 'https' | 'grpc' | 'grpcs' | 'tcp' | 'tls' | 'ws' | 'wss';
  readonly host: string;
  readonly port: number;
  readonly path: string | null;
  readonly connect_timeout: number;
  readonly write_timeout: number;
  readonly read_timeout: number;
  readonly client_certificate: ForeignKey | null;
  readonly tls_verify: boolean | null;
  readonly tls_verify_depth: number | null;
  readonly ca_certificates: readonly string[] | null;
  readonly enabled: boolean;
  readonly regions: readonly string[];
}

export interface Route extends Base {
  readonly name: string | null;
  readonly protocols: readonly string[];
  readonly methods: readonly string[] | null;
  readonly hosts: readonly string[] | null;
  readonly paths: readonly string[] | null;
  readonly headers: Readonly<Record<string, readonly string[]>> | null;
  readonly snis: readonly string[] | null;
  readonly https_redirect_status_code: number;
  readonly regex_priority: number;
  readonly strip_path: boolean;
  readonly path_handling: 'v0' | 'v1';
  readonly preserve_host: boolean;
  readonly request_buffering: boolean;
  readonly response_buffering: boolean;
  readonly service: ForeignKey | null;
  readonly regions: readonly string[];
}

export interface Consumer extends Base {
  readonly username: string | null;
  readonly custom_id: string | null;
}

export interface Plugin extends Base {
  readonly name: string;
  readonly instance_name: string | null;
  readonly route: ForeignKey | null;
  readonly service: ForeignKey | null;
  readonly consumer: ForeignKey | null;
  readonly config: Readonly<Record<string, unknown>>;
  readonly protocols: readonly string[];
  readonly enabled: boolean;
  readonly regions: readonly string[];
}

export interface Upstream extends Base {
  readonly name: string;
  readonly algorithm: 'round-robin' | 'consistent-hashing' | 'least-connections' | 'latency';
  readonly hash_on: string;
  readonly hash_fallback: string;
  readonly hash_on_header: string | null;
  readonly hash_fallback_header: string | null;
  readonly hash_on_cookie: string | null;
  readonly hash_on_cookie_path: string;
  readonly hash_on_query_arg: string | null;
  readonly hash_fallback_query_arg: string | null;
  readonly hash_on_uri_capture: string | null;
  readonly hash_fallback_uri_capture: string | null;
  readonly slots: number;
  readonly healthchecks: Healthchecks;
  readonly host_header: string | null;
  readonly client_certificate: ForeignKey | null;
  readonly use_srv_name: boolean;
  readonly regions: readonly string[];
}

export interface Healthchecks {
  readonly active: {
    readonly type: string;
    readonly timeout: number;
    readonly concurrency: number;
    readonly http_path: string;
    readonly https_verify_certificate: boolean;
    readonly https_sni: string | null;
    readonly headers: Readonly<Record<string, readonly string[]>> | null;
    readonly healthy: { readonly interval: number; readonly http_statuses: readonly number[]; readonly successes: number };
    readonly unhealthy: {
      readonly interval: number;
      readonly http_statuses: readonly number[];
      readonly tcp_failures: number;
      readonly timeouts: number;
      readonly http_failures: number;
    };
  };
  readonly passive: {
    readonly type: string;
    readonly healthy: { readonly http_statuses: readonly number[]; readonly successes: number };
    readonly unhealthy: {
      readonly http_statuses: readonly number[];
      readonly tcp_failures: number;
      readonly timeouts: number;
      readonly http_failures: number;
    };
  };
  readonly threshold: number;
}

export interface Target extends Base {
  readonly upstream: ForeignKey;
  readonly target: string;
  readonly weight: number;
}

export interface Certificate extends Base {
  readonly cert: string;
  readonly key: string;
  readonly cert_alt: string | null;
  readonly key_alt: string | null;
}

export interface Sni extends Base {
  readonly name: string;
  readonly certificate: ForeignKey;
}

export interface CaCertificate extends Base {
  readonly cert: string;
  readonly cert_digest: string;
}

export interface KeyauthCredential extends Base {
  readonly consumer: ForeignKey;
  readonly key: string;
  readonly ttl: number | null;
}

export interface BasicauthCredential extends Base {
  readonly consumer: ForeignKey;
  readonly username: string;
  /** `scrypt$N$r$p$salt$hash`: data planes verify, never see the password. */
  readonly password: string;
}

export interface JwtSecret extends Base {
  readonly consumer: ForeignKey;
  readonly key: string;
  readonly secret: string;
  readonly rsa_public_key: string | null;
  readonly algorithm: string;
}

export interface Acl extends Base {
  readonly consumer: ForeignKey;
  readonly group: string;
}

export interface HmacauthCredential extends Base {
  readonly consumer: ForeignKey;
  readonly username: string;
  readonly secret: string;
}

/** Terms one period of a plan runs on (see plans' terms_version and terms_history). */
export interface PlanTermsVersion {
  readonly version: number;
  /** Unix seconds: periods starting from then use these terms. */
  readonly effective_at: number;
  readonly price: number;
  readonly quota: { readonly limit: number; readonly per: 'interval' | 'day' | 'month' } | null;
  readonly overage: 'block' | { readonly price_per_1000: number };
  readonly rate_limit: { readonly second: number | null; readonly minute: number | null; readonly hour: number | null } | null;
  readonly bill_5xx: boolean;
}

/** A marketplace plan; its organization stays on the control plane. */
export interface Plan extends Base {
  readonly name: string;
  readonly services: readonly ForeignKey[];
  readonly currency: string;
  readonly price: number;
  readonly interval: 'minute' | 'hour' | 'day' | 'week' | 'month' | 'year';
  readonly interval_count: number;
  readonly quota: PlanTermsVersion['quota'];
  readonly overage: PlanTermsVersion['overage'];
  readonly rate_limit: PlanTermsVersion['rate_limit'];
  readonly bill_5xx: boolean;
  readonly public: boolean;
  readonly terms_version: number;
  readonly terms_effective_at: number;
  /** Earlier terms, newest first. */
  readonly terms_history: readonly PlanTermsVersion[];
}

export interface Subscription extends Base {
  readonly consumer: ForeignKey;
  readonly plan: ForeignKey;
  readonly status: 'active' | 'canceled';
  readonly current_period_start: number;
  readonly current_period_end: number;
  readonly canceled_at: number | null;
  readonly cancel_at_period_end: boolean;
}

/** Every entity collection a data plane receives, keyed by the entity's collection name. */
export interface ConfigEntities {
  readonly certificates: readonly Certificate[];
  readonly ca_certificates: readonly CaCertificate[];
  readonly snis: readonly Sni[];
  readonly services: readonly Service[];
  readonly routes: readonly Route[];
  readonly consumers: readonly Consumer[];
  readonly upstreams: readonly Upstream[];
  readonly targets: readonly Target[];
  readonly plugins: readonly Plugin[];
  readonly keyauth_credentials: readonly KeyauthCredential[];
  readonly basicauth_credentials: readonly BasicauthCredential[];
  readonly jwt_secrets: readonly JwtSecret[];
  readonly acls: readonly Acl[];
  readonly hmacauth_credentials: readonly HmacauthCredential[];
  readonly plans: readonly Plan[];
  readonly subscriptions: readonly Subscription[];
}

export type EntityCollection = keyof ConfigEntities;

export const ENTITY_COLLECTIONS: readonly EntityCollection[] = [
  'certificates',
  'ca_certificates',
  'snis',
  'services',
  'routes',
  'consumers',
  'upstreams',
  'targets',
  'plugins',
  'keyauth_credentials',
  'basicauth_credentials',
  'jwt_secrets',
  'acls',
  'hmacauth_credentials',
  'plans',
  'subscriptions',
];

/** One region's whole data-plane config at one version. */
export interface ConfigSnapshot {
  readonly version: number;
  readonly hash: string;
  readonly entities: ConfigEntities;
}

export function emptyEntities(): ConfigEntities {
  return Object.fromEntries(ENTITY_COLLECTIONS.map((c) => [c, []])) as unknown as ConfigEntities;
}
