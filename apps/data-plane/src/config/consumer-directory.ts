import {
  chunkSteps,
  type BasicauthCredential,
  type ConfigEntities,
  type Consumer,
  type HmacauthCredential,
  type JwtSecret,
  type KeyauthCredential,
  type Steps,
} from '@tollgate/config';
import type { ConsumerDirectory, ConsumerGroups } from '@tollgate/plugins';

type DirectoryEntities = Pick<
  ConfigEntities,
  'consumers' | 'keyauth_credentials' | 'basicauth_credentials' | 'jwt_secrets' | 'hmacauth_credentials' | 'acls'
>;

/** Adds `items` to `map` under `keyOf`, in steps. */
function* indexSteps<T>(items: readonly T[] | undefined, map: Map<string, T>, keyOf: (item: T) => string): Steps<void> {
  if (items === undefined) return;
  yield* chunkSteps(items.length, (from, to) => {
    for (let i = from; i < to; i++) map.set(keyOf(items[i]!), items[i]!);
  });
}

/**
 * Consumers and credentials indexed by the keys requests present, built once per config: a
 * lookup is one Map.get whatever the number of consumers (Kong 11651: 2M credentials). A miss is
 * a Map.get too, so there is nothing for a negative cache to save.
 */
export class ConsumerIndex implements ConsumerDirectory {
  private readonly byId = new Map<string, Consumer>();
  private readonly byUsername = new Map<string, Consumer>();
  private readonly keyauth = new Map<string, KeyauthCredential>();
  private readonly basicauth = new Map<string, BasicauthCredential>();
  private readonly jwt = new Map<string, JwtSecret>();
  private readonly hmacauth = new Map<string, HmacauthCredential>();
  private readonly groups = new Map<string, ConsumerGroups>();

  private constructor() {}

  /** Indexes the config's consumers and credentials, in steps (see Steps). */
  static *build(entities: DirectoryEntities): Steps<ConsumerIndex> {
    const index = new ConsumerIndex();
    const { consumers } = entities;
    yield* chunkSteps(consumers.length, (from, to) => {
      for (let i = from; i < to; i++) {
        const consumer = consumers[i]!;
        index.byId.set(consumer.id, consumer);
        if (consumer.username !== null) index.byUsername.set(consumer.username, consumer);
      }
    });
    yield* indexSteps(entities.keyauth_credentials, index.keyauth, (c) => c.key);
    yield* indexSteps(entities.basicauth_credentials, index.basicauth, (c) => c.username);
    yield* indexSteps(entities.jwt_secrets, index.jwt, (c) => c.key);
    yield* indexSteps(entities.hmacauth_credentials, index.hmacauth, (c) => c.username);
    yield* index.buildGroups(entities.acls ?? []);
    return index;
  }

  private *buildGroups(acls: DirectoryEntities['acls']): Steps<void> {
    const names = new Map<string, string[]>();
    yield* chunkSteps(acls.length, (from, to) => {
      for (let i = from; i < to; i++) {
        const acl = acls[i]!;
        const list = names.get(acl.consumer.id);
        if (list === undefined) names.set(acl.consumer.id, [acl.group]);
        else list.push(acl.group);
      }
    });
    for (const [consumerId, list] of names) this.groups.set(consumerId, Object.freeze({ names: new Set(list), header: list.join(', ') }));
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

  basicauthCredential(username: string): BasicauthCredential | undefined {
    return this.basicauth.get(username);
  }

  jwtSecret(key: string): JwtSecret | undefined {
    return this.jwt.get(key);
  }

  hmacauthCredential(username: string): HmacauthCredential | undefined {
    return this.hmacauth.get(username);
  }

  consumerGroups(consumerId: string): ConsumerGroups | undefined {
    return this.groups.get(consumerId);
  }
}
