import type { PluginSchema } from '../plugin-schema';
import { BUNDLED_PLUGIN_VERSION, record } from '../typedefs';

const METHODS = ['HEAD', 'GET', 'POST', 'PATCH', 'PUT'];

export const proxyCacheSchema: PluginSchema = {
  name: 'proxy-cache',
  version: BUNDLED_PLUGIN_VERSION,
  priority: 100,
  phases: ['access', 'response'],
  protocols: ['grpc', 'grpcs', 'http', 'https'],
  config: {
    response_code: {
      type: 'array',
      elements: { type: 'integer', between: [100, 900] },
      default: [200, 301, 404],
      len_min: 1,
      required: true,
      description: 'Upstream statuses that may be cached.',
    },
    request_method: {
      type: 'array',
      elements: { type: 'string', one_of: METHODS },
      default: ['GET', 'HEAD'],
      required: true,
      description: 'Request methods that may be answered from the cache.',
    },
    content_type: {
      type: 'array',
      elements: { type: 'string' },
      default: ['text/plain', 'application/json'],
      required: true,
      description: 'Upstream Content-Types that may be cached (`*` wildcards allowed, parameters must match).',
    },
    cache_ttl: { type: 'integer', gt: 0, default: 300, description: 'Seconds an entry is served before it is refreshed.' },
    strategy: {
      type: 'string',
      one_of: ['memory'],
      default: 'memory',
      required: true,
      description: 'Where entries live: `memory`, each data-plane process its own bounded cache.',
    },
    cache_control: {
      type: 'boolean',
      default: false,
      required: true,
      description: "Honour the client's and the upstream's Cache-Control (RFC 7234) instead of cache_ttl alone.",
    },
    ignore_uri_case: { type: 'boolean', default: false, description: 'Fold the path to lower case in the cache key.' },
    storage_ttl: { type: 'integer', nullable: true, description: 'Seconds an entry is kept (may outlive cache_ttl, to be refreshed).' },
    memory: record('Options of the memory strategy.', {
      dictionary_name: { type: 'string', default: 'kong_db_cache', description: "Kong's shared-dict name; accepted for compatibility, one cache per process here." },
    }),
    vary_query_params: {
      type: 'array',
      elements: { type: 'string' },
      nullable: true,
      description: 'Query parameters in the cache key; null or empty keys on all of them.',
    },
    vary_headers: {
      type: 'array',
      elements: { type: 'string', check: 'header_name' },
      nullable: true,
      description: 'Request headers in the cache key; none when null or empty.',
    },
    response_headers: record('Which of its headers the plugin adds to responses.', {
      age: { type: 'boolean', default: true, description: 'Send Age on hits.' },
      'X-Cache-Status': { type: 'boolean', default: true, description: 'Send X-Cache-Status (Miss, Hit, Refresh, Bypass).' },
      'X-Cache-Key': { type: 'boolean', default: true, description: 'Send X-Cache-Key.' },
    }),
  },
};
