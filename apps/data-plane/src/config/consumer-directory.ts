import { chunkSteps, type ConfigEntities, type Consumer, type KeyauthCredential, type Steps } from '@tollgate/config';
import type { ConsumerDirectory } from '@tollgate/plugins';

/**
 * Consumers and credentials indexed by the keys requests present, built once per config: a
 * lookup is one Map.get whatever the number of consumers (Kong 11651: 2M credentials).
 */
export class ConsumerIndex implements ConsumerDirectory {
  private readonly byId = new Map<string, Consumer>();
  private readonly byUsername = new Map<string, Consumer>();
  private readonly keyauth = new Map<string, KeyauthCredential>();

  private constructor() {}

  /** Indexes the config's consumers and credentials, in steps (see Steps). */
  static *build(entities: Pick<ConfigEntities, 'consumers' | 'keyauth_credentials'>): Steps<ConsumerIndex> {
    const index = new ConsumerIndex();
    const { consumers, keyauth_credentials: credentials } = entities;
    yield* chunkSteps(consumers.length, (from, to) => {
      for (let i = from; i < to; i++) {
        const consumer = consumers[i]!;
        index.byId.set(consumer.id, consumer);
        if (consumer.username !== null) index.byUsername.set(consumer.username, consumer);
      }
    });
    yield* chunkSteps(credentials.length, (from, to) => {
      for (let i = from; i < to; i++) index.keyauth.set(credentials[i]!.key, credentials[i]!);
    });
    return index;
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
