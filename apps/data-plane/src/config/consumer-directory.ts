import type { Consumer, ConfigEntities, KeyauthCredential } from '@tollgate/config';
import type { ConsumerDirectory } from '@tollgate/plugins';

/**
 * Consumers and credentials indexed by the keys requests present, built once per config: a
 * lookup is one Map.get whatever the number of consumers (Kong 11651: 2M credentials).
 */
export class ConsumerIndex implements ConsumerDirectory {
  private readonly byId = new Map<string, Consumer>();
  private readonly byUsername = new Map<string, Consumer>();
  private readonly keyauth = new Map<string, KeyauthCredential>();

  constructor(entities: Pick<ConfigEntities, 'consumers' | 'keyauth_credentials'>) {
    for (const consumer of entities.consumers) {
      this.byId.set(consumer.id, consumer);
      if (consumer.username !== null) this.byUsername.set(consumer.username, consumer);
    }
    for (const credential of entities.keyauth_credentials) this.keyauth.set(credential.key, credential);
  }

  consumer(idOrUsername: string): Consumer | undefined {
    return this.byId.get(idOrUsername) ?? this.byUsername.get(idOrUsername);
  }

  /** A key past its `ttl` (seconds after creation, as Kong counts it) is no longer valid. */
  keyauthCredential(key: string): KeyauthCredential | undefined {
    const credential = this.keyauth.get(key);
    if (credential === undefined || !credential.ttl) return credential;
    return (credential.created_at + credential.ttl) * 1000 > Date.now() ? credential : undefined;
  }
}
