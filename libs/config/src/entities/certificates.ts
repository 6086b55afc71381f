import { defineEntity } from './entity-definition';

export const certificates = defineEntity({
  name: 'certificates',
  fields: {
    cert: { type: 'string', required: true, check: 'pem_certificate', description: 'PEM certificate (chain)' },
    key: { type: 'string', required: true, check: 'pem_private_key', encrypted: true, description: 'PEM private key' },
    cert_alt: { type: 'string', nullable: true, check: 'pem_certificate', description: 'Alternate PEM certificate (another key type)' },
    key_alt: { type: 'string', nullable: true, check: 'pem_private_key', encrypted: true, description: 'Alternate PEM private key' },
  },
  entityChecks: [{ mutually_required: ['cert_alt', 'key_alt'] }],
});

export const snis = defineEntity({
  name: 'snis',
  endpointKey: 'name',
  fields: {
    name: { type: 'string', required: true, unique: true, check: 'sni', description: 'Server name, with an optional leading or trailing wildcard' },
    certificate: { type: 'foreign', reference: 'certificates', on_delete: 'cascade', required: true, description: 'Certificate served for this name' },
  },
});

export const caCertificates = defineEntity({
  name: 'ca_certificates',
  adminPath: 'ca_certificates',
  fields: {
    cert: { type: 'string', required: true, check: 'pem_certificate', description: 'PEM CA certificate' },
    cert_digest: { type: 'string', auto: true, unique: true, description: 'SHA-256 of the certificate, computed' },
  },
});
