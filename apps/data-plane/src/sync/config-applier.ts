import type { ConfigEntityError, ConfigSnapshot, EntityCollection } from '@tollgate/config';

export type ApplyOutcome = { readonly ok: true } | { readonly ok: false; readonly errors: readonly ConfigEntityError[] };

/** Whatever turns a snapshot into the running config (the proxy's runtime, or its workers). */
export interface ConfigApplier {
  /**
   * `changed`, when given, names the only collections that differ from the previous snapshot
   * (a delta), so the runtime can keep what it built for the rest.
   */
  applySnapshot(snapshot: ConfigSnapshot, changed?: ReadonlySet<EntityCollection>): ApplyOutcome | Promise<ApplyOutcome>;
  /** A control-plane message for one plugin (proxy-cache purges), for every serving process. */
  pluginMessage?(plugin: string, payload: unknown): void;
}
