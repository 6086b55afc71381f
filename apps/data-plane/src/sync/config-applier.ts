import type { ConfigEntityError, ConfigSnapshot } from '@tollgate/config';

export type ApplyOutcome = { readonly ok: true } | { readonly ok: false; readonly errors: readonly ConfigEntityError[] };

/** Whatever turns a snapshot into the running config (the proxy's runtime, or its workers). */
export interface ConfigApplier {
  applySnapshot(snapshot: ConfigSnapshot): ApplyOutcome | Promise<ApplyOutcome>;
}
