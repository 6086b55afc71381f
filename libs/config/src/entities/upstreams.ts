import type { FieldSchema } from '../schema/field';
import { defineEntity } from './entity-definition';

const HASH_ON = ['none', 'consumer', 'ip', 'header', 'cookie', 'path', 'query_arg', 'uri_capture'] as const;
const counter = (what: string): FieldSchema => ({ type: 'integer', default: 0, between: [0, 255], description: what });
const statuses = (codes: number[], what: string): FieldSchema => ({
  type: 'array',
  elements: { type: 'integer', between: [100, 999] },
  default: codes,
  description: what,
});
const seconds = (what: string): FieldSchema => ({ type: 'number', default: 0, between: [0, 65535], description: what });

const HEALTHY_PASSIVE = [200, 201, 202, 203, 204, 205, 206, 207, 208, 226, 300, 301, 302, 303, 304, 305, 306, 307, 308];

export const healthchecksField: FieldSchema = {
  type: 'record',
  description: 'Active probes and passive failure counting that take targets out and bring them back',
  default: undefined,
  fields: {
    active: {
      type: 'record',
      description: 'Probes sent to each target',
      fields: {
        type: { type: 'string', default: 'http', one_of: ['tcp', 'http', 'https', 'grpc', 'grpcs'], description: 'Probe protocol' },
        timeout: { type: 'number', default: 1, between: [0, 65535], description: 'Probe timeout in seconds' },
        concurrency: { type: 'integer', default: 10, between: [1, 2147483648], description: 'Probes in flight at once' },
        http_path: { type: 'string', default: '/', check: 'path', description: 'Path probed' },
        https_verify_certificate: { type: 'boolean', default: true, description: 'Verify the target certificate on https probes' },
        https_sni: { type: 'string', nullable: true, check: 'host', description: 'SNI of https probes' },
        headers: { type: 'map', nullable: true, keys: { type: 'string', check: 'header_name' }, values: { type: 'array', elements: { type: 'string' } }, description: 'Headers sent with probes' },
        healthy: {
          type: 'record',
          description: 'When a probed target counts as healthy',
          fields: {
            interval: seconds('Seconds between probes of healthy targets (0 = off)'),
            http_statuses: statuses([200, 302], 'Statuses that count as a success'),
            successes: counter('Successes that mark a target healthy (0 = off)'),
          },
        },
        unhealthy: {
          type: 'record',
          description: 'When a probed target counts as unhealthy',
          fields: {
            interval: seconds('Seconds between probes of unhealthy targets (0 = off)'),
            http_statuses: statuses([429, 404, 500, 501, 502, 503, 504, 505], 'Statuses that count as a failure'),
            tcp_failures: counter('TCP failures that mark a target unhealthy'),
            timeouts: counter('Timeouts that mark a target unhealthy'),
            http_failures: counter('HTTP failures that mark a target unhealthy'),
          },
        },
      },
    },
    passive: {
      type: 'record',
      description: 'Failure counting on proxied traffic',
      fields: {
        type: { type: 'string', default: 'http', one_of: ['tcp', 'http', 'https', 'grpc', 'grpcs'], description: 'Traffic protocol' },
        healthy: {
          type: 'record',
          description: 'When proxied traffic marks a target healthy',
          fields: {
            http_statuses: statuses(HEALTHY_PASSIVE, 'Statuses that count as a success'),
            successes: counter('Successes that mark a target healthy (0 = off)'),
          },
        },
        unhealthy: {
          type: 'record',
          description: 'When proxied traffic marks a target unhealthy',
          fields: {
            http_statuses: statuses([429, 500, 503], 'Statuses that count as a failure'),
            tcp_failures: counter('TCP failures that mark a target unhealthy'),
            timeouts: counter('Timeouts that mark a target unhealthy'),
            http_failures: counter('HTTP failures that mark a target unhealthy'),
          },
        },
      },
    },
    threshold: { type: 'number', default: 0, between: [0, 100], description: 'Healthy weight percentage below which the upstream is unhealthy' },
  },
};

export const upstreams = defineEntity({
  name: 'upstreams',
  endpointKey: 'name',
  regional: true,
  fields: {
    name: { type: 'string', required: true, unique: true, check: 'host', description: 'Hostname services use to address this upstream' },
    algorithm: { type: 'string', default: 'round-robin', one_of: ['round-robin', 'consistent-hashing', 'least-connections', 'latency'], description: 'Load-balancing algorithm' },
    hash_on: { type: 'string', default: 'none', one_of: HASH_ON, description: 'What consistent hashing hashes on' },
    hash_fallback: { type: 'string', default: 'none', one_of: HASH_ON, description: 'Hash input when hash_on yields nothing' },
    hash_on_header: { type: 'string', nullable: true, check: 'header_name', description: 'Header hashed when hash_on is header' },
    hash_fallback_header: { type: 'string', nullable: true, check: 'header_name', description: 'Header hashed when hash_fallback is header' },
    hash_on_cookie: { type: 'string', nullable: true, description: 'Cookie hashed when hash_on is cookie' },
    hash_on_cookie_path: { type: 'string', default: '/', check: 'path', description: 'Path of the generated cookie' },
    hash_on_query_arg: { type: 'string', nullable: true, len_min: 1, description: 'Query argument hashed' },
    hash_fallback_query_arg: { type: 'string', nullable: true, len_min: 1, description: 'Fallback query argument hashed' },
    hash_on_uri_capture: { type: 'string', nullable: true, len_min: 1, description: 'Path regex capture hashed' },
    hash_fallback_uri_capture: { type: 'string', nullable: true, len_min: 1, description: 'Fallback path regex capture hashed' },
    slots: { type: 'integer', default: 10000, between: [10, 65536], description: 'Slots in the consistent-hashing ring' },
    healthchecks: { ...healthchecksField, default: {} },
    host_header: { type: 'string', nullable: true, check: 'host', description: 'Host header sent to targets' },
    client_certificate: { type: 'foreign', reference: 'certificates', on_delete: 'restrict', nested: false, nullable: true, description: 'Certificate presented to targets' },
    use_srv_name: { type: 'boolean', default: false, description: 'Use the SRV record name as TLS SNI' },
  },
  entityChecks: [
    { conditional: { if_field: 'hash_on', if_match: { eq: 'header' }, then_field: 'hash_on_header', then_match: { required: true } } },
    { conditional: { if_field: 'hash_fallback', if_match: { eq: 'header' }, then_field: 'hash_fallback_header', then_match: { required: true } } },
    { conditional: { if_field: 'hash_on', if_match: { eq: 'cookie' }, then_field: 'hash_on_cookie', then_match: { required: true } } },
    { conditional: { if_field: 'hash_on', if_match: { eq: 'query_arg' }, then_field: 'hash_on_query_arg', then_match: { required: true } } },
    { conditional: { if_field: 'hash_on', if_match: { eq: 'uri_capture' }, then_field: 'hash_on_uri_capture', then_match: { required: true } } },
  ],
});

export const targets = defineEntity({
  name: 'targets',
  endpointKey: 'target',
  topLevel: false,
  fields: {
    upstream: { type: 'foreign', reference: 'upstreams', on_delete: 'cascade', required: true, description: 'Upstream this target belongs to' },
    target: { type: 'string', required: true, check: 'target', description: 'host:port of the target (port 8000 when absent)' },
    weight: { type: 'integer', default: 100, between: [0, 65535], description: 'Share of traffic; 0 disables the target' },
  },
  uniqueTogether: [['upstream', 'target']],
});
