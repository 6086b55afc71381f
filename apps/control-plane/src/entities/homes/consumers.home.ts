import { acls, basicauthCredentials, consumers, hmacauthCredentials, jwtSecrets, keyauthCredentials } from '@tollgate/config';
import { defineHome } from '../entity-home';
import { generateKey, hashPassword, isPasswordHash } from '../entity-secrets';

// Consumers are the operator's until plans and subscriptions let a provider see its subscribers.
export const consumersHome = defineHome({ definition: consumers });

export const keyauthCredentialsHome = defineHome({
  definition: keyauthCredentials,
  rules: {
    generate(value) {
      value.key ??= generateKey();
    },
  },
});

export const basicauthCredentialsHome = defineHome({
  definition: basicauthCredentials,
  rules: {
    async generate(value) {
      if (!isPasswordHash(value.password as string)) value.password = await hashPassword(value.password as string);
    },
  },
});

export const jwtSecretsHome = defineHome({
  definition: jwtSecrets,
  rules: {
    generate(value) {
      value.key ??= generateKey();
      value.secret ??= generateKey();
    },
  },
});

export const aclsHome = defineHome({ definition: acls });

export const hmacauthCredentialsHome = defineHome({
  definition: hmacauthCredentials,
  rules: {
    generate(value) {
      value.secret ??= generateKey();
    },
  },
});
