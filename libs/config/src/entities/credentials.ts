import type { FieldSchema } from '../schema/field';
import { defineEntity } from './entity-definition';

const consumer: FieldSchema = {
  type: 'foreign',
  reference: 'consumers',
  on_delete: 'cascade',
  required: true,
  description: 'Consumer this credential belongs to',
};
const ttl: FieldSchema = { type: 'integer', nullable: true, between: [0, 100000000], description: 'Seconds until the credential expires' };

export const keyauthCredentials = defineEntity({
  name: 'keyauth_credentials',
  adminPath: 'key-auths',
  nestedPath: 'key-auth',
  endpointKey: 'key',
  fields: {
    consumer,
    key: { type: 'string', unique: true, auto: true, len_min: 1, len_max: 1024, encrypted: true, description: 'The API key; generated when absent' },
    ttl,
  },
});

export const basicauthCredentials = defineEntity({
  name: 'basicauth_credentials',
  adminPath: 'basic-auths',
  nestedPath: 'basic-auth',
  endpointKey: 'username',
  fields: {
    consumer,
    username: { type: 'string', required: true, unique: true, len_min: 1, len_max: 256, description: 'Username' },
    password: { type: 'string', required: true, write_only: true, len_min: 1, len_max: 1024, encrypted: true, description: 'Password; stored as a salted scrypt hash and never returned' },
  },
});

export const JWT_ALGORITHMS = ['HS256', 'HS384', 'HS512', 'RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512', 'PS256', 'PS384', 'PS512', 'EdDSA'] as const;

export const jwtSecrets = defineEntity({
  name: 'jwt_secrets',
  adminPath: 'jwts',
  nestedPath: 'jwt',
  endpointKey: 'key',
  fields: {
    consumer,
    key: { type: 'string', unique: true, auto: true, len_min: 1, len_max: 1024, description: 'Matched against the iss claim; generated when absent' },
    secret: { type: 'string', auto: true, len_min: 1, len_max: 4096, encrypted: true, description: 'HMAC secret; generated when absent' },
    rsa_public_key: { type: 'string', nullable: true, len_max: 16384, description: 'PEM public key for RS/ES/PS algorithms' },
    algorithm: { type: 'string', default: 'HS256', one_of: JWT_ALGORITHMS, description: 'Signing algorithm' },
  },
  entityChecks: [
    {
      conditional: {
        if_field: 'algorithm',
        if_match: { one_of: ['RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512', 'PS256', 'PS384', 'PS512', 'EdDSA'] },
        then_field: 'rsa_public_key',
        then_match: { required: true },
      },
    },
  ],
});

/** Kong's hmac-auth credential: the username a request signs as and the shared secret it signs with. */
export const hmacauthCredentials = defineEntity({
  name: 'hmacauth_credentials',
  adminPath: 'hmac-auths',
  nestedPath: 'hmac-auth',
  endpointKey: 'username',
  fields: {
    consumer,
    username: { type: 'string', required: true, unique: true, len_min: 1, len_max: 256, description: 'Username a request signs as' },
    secret: { type: 'string', auto: true, len_min: 1, len_max: 4096, encrypted: true, description: 'HMAC secret; generated when absent' },
  },
});

export const acls = defineEntity({
  name: 'acls',
  endpointKey: undefined,
  fields: {
    consumer,
    group: { type: 'string', required: true, len_min: 1, len_max: 256, description: 'Group name' },
  },
  uniqueTogether: [['consumer', 'group']],
});
