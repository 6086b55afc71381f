import { defineEntity } from './entity-definition';

export const routes = defineEntity({
  name: 'routes',
  endpointKey: 'name',
  regional: true,
  fields: {
    name: { type: 'string', unique: true, nullable: true, len_max: 128, check: 'name', description: 'Unique name of the route' },
    protocols: {
      type: 'set',
      elements: { type: 'string', one_of: ['http', 'https', 'grpc', 'grpcs', 'tcp', 'tls', 'ws', 'wss'] },
      default: ['http', 'https'],
      len_min: 1,
      description: 'Protocols this route accepts',
    },
    methods: { type: 'set', nullable: true, elements: { type: 'string', check: 'http_method' }, description: 'HTTP methods that match' },
    hosts: { type: 'array', nullable: true, len_max: 512, elements: { type: 'string', check: 'wildcard_host' }, description: 'Hosts that match; a leading or trailing * is a wildcard' },
    paths: { type: 'array', nullable: true, len_max: 512, elements: { type: 'string', check: 'router_path', len_max: 2048 }, description: 'Path prefixes, or regexes starting with ~, that match' },
    headers: {
      type: 'map',
      nullable: true,
      keys: { type: 'string', check: 'header_name' },
      values: { type: 'array', elements: { type: 'string' } },
      description: 'Header values that must be present; ~* prefix makes a value a regex',
    },
    snis: { type: 'set', nullable: true, elements: { type: 'string', check: 'sni' }, description: 'TLS server names that match' },
    https_redirect_status_code: { type: 'integer', default: 426, one_of: [426, 301, 302, 307, 308], description: 'Status when an http request hits an https-only route' },
    regex_priority: { type: 'integer', default: 0, between: [-2147483648, 2147483647], description: 'Order in which regex paths are tried, highest first' },
    strip_path: { type: 'boolean', default: true, description: 'Remove the matched path prefix before proxying' },
    path_handling: { type: 'string', default: 'v0', one_of: ['v0', 'v1'], description: 'How service and route paths are joined' },
    preserve_host: { type: 'boolean', default: false, description: 'Send the client Host header upstream' },
    request_buffering: { type: 'boolean', default: true, description: 'Buffer request bodies (streamed when false)' },
    response_buffering: { type: 'boolean', default: true, description: 'Buffer response bodies (streamed when false)' },
    service: { type: 'foreign', reference: 'services', on_delete: 'restrict', nullable: true, description: 'Service this route proxies to' },
  },
  entityChecks: [{ at_least_one_of: ['methods', 'hosts', 'headers', 'paths', 'snis'] }],
});
