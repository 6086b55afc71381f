import { defineEntity } from './entity-definition';

export const SERVICE_PROTOCOLS = ['http', 'https', 'grpc', 'grpcs', 'tcp', 'tls', 'ws', 'wss'] as const;
const timeout = (what: string) =>
  ({ type: 'integer', default: 60000, between: [1, 2147483646], description: `${what} timeout in milliseconds` }) as const;

export const services = defineEntity({
  name: 'services',
  endpointKey: 'name',
  regional: true,
  fields: {
    name: { type: 'string', unique: true, nullable: true, len_max: 128, check: 'name', description: 'Unique name of the service' },
    retries: { type: 'integer', default: 5, between: [0, 32767], description: 'Retries on a failed proxy attempt' },
    protocol: { type: 'string', required: true, default: 'http', one_of: SERVICE_PROTOCOLS, description: 'Protocol to the upstream' },
    host: { type: 'string', required: true, check: 'host', description: 'Upstream host, or the name of an upstream entity' },
    port: { type: 'integer', required: true, default: 80, between: [0, 65535], description: 'Upstream port' },
    path: { type: 'string', nullable: true, check: 'path', len_max: 2048, description: 'Path prefixed to upstream requests' },
    connect_timeout: timeout('Connect'),
    write_timeout: timeout('Write'),
    read_timeout: timeout('Read'),
    client_certificate: { type: 'foreign', reference: 'certificates', on_delete: 'restrict', nested: false, nullable: true, description: 'Certificate presented to the upstream for mTLS' },
    tls_verify: { type: 'boolean', nullable: true, description: 'Verify the upstream TLS certificate' },
    tls_verify_depth: { type: 'integer', nullable: true, between: [0, 64], description: 'Maximum depth of the upstream certificate chain' },
    ca_certificates: { type: 'array', nullable: true, elements: { type: 'string', len_min: 36, len_max: 36 }, description: 'Ids of CA certificates that verify the upstream' },
    enabled: { type: 'boolean', default: true, description: 'Whether routes of this service are proxied' },
  },
});
