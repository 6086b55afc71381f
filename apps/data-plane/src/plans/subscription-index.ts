import { chunkSteps, type Subscription, type Steps } from '@tollgate/config';

const NONE: readonly Subscription[] = Object.freeze([]);

function remove(list: readonly Subscription[] | undefined, id: string): readonly Subscription[] {
  return list === undefined ? NONE : list.filter((s) => s.id !== id);
}

/**
 * Subscriptions by consumer, for the one question a request asks: which of this consumer's
 * subscriptions cover the service? A consumer holds a handful, so a request reads one Map entry
 * and a short list. A delta's apply compares the new collection with the old by object identity
 * (unchanged entities are the same objects) and re-indexes only what changed: one subscription
 * written on a config of a million re-indexes one, it never rebuilds the index. The index is
 * updated in place: requests still running on the previous config see the new subscriptions,
 * as they would a moment later anyway.
 */
export class SubscriptionIndex {
  private readonly byId = new Map<string, Subscription>();
  private readonly byConsumer = new Map<string, readonly Subscription[]>();

  private constructor() {}

  static *build(subscriptions: readonly Subscription[], previous?: SubscriptionIndex): Steps<SubscriptionIndex> {
    if (previous === undefined) return yield* SubscriptionIndex.fresh(subscriptions);
    const changed: Subscription[] = [];
    let same = 0;
    yield* chunkSteps(subscriptions.length, (from, to) => {
      for (let i = from; i < to; i++) {
        const s = subscriptions[i]!;
        if (previous.byId.get(s.id) === s) same++;
        else changed.push(s);
      }
    });
    // Past a tenth of the index, building anew costs about the same and leaves nothing stale.
    if (changed.length > subscriptions.length / 10 + 1000) return yield* SubscriptionIndex.fresh(subscriptions);
    const index = previous;
    let replaced = 0;
    for (const s of changed) if (index.byId.has(s.id)) replaced++;
    if (same + replaced < index.byId.size) {
      const kept = new Set<string>();
      for (const s of subscriptions) kept.add(s.id);
      for (const [id, s] of index.byId) if (!kept.has(id)) index.unindex(s);
    }
    for (const s of changed) {
      const old = index.byId.get(s.id);
      if (old !== undefined) index.unindex(old);
      index.add(s);
    }
    return index;
  }

  private static *fresh(subscriptions: readonly Subscription[]): Steps<SubscriptionIndex> {
    const index = new SubscriptionIndex();
    yield* chunkSteps(subscriptions.length, (from, to) => {
      for (let i = from; i < to; i++) index.add(subscriptions[i]!);
    });
    return index;
  }

  private add(s: Subscription): void {
    this.byId.set(s.id, s);
    const list = this.byConsumer.get(s.consumer.id);
    this.byConsumer.set(s.consumer.id, list === undefined ? [s] : [...list, s]);
  }

  private unindex(s: Subscription): void {
    this.byId.delete(s.id);
    const rest = remove(this.byConsumer.get(s.consumer.id), s.id);
    if (rest.length === 0) this.byConsumer.delete(s.consumer.id);
    else this.byConsumer.set(s.consumer.id, rest);
  }

  of(consumerId: string): readonly Subscription[] {
    return this.byConsumer.get(consumerId) ?? NONE;
  }

  get size(): number {
    return this.byId.size;
  }
}
