import type { EntityCheck, FieldMap } from '@tollgate/config';

/** Data-plane phases a plugin can run in (Kong's header_filter and body_filter are `response`). */
export type PluginPhase = 'certificate' | 'rewrite' | 'access' | 'response' | 'log';

/**
 * A plugin's schema: data shared by the admin API (validation, `/schemas/plugins/{name}`), the
 * data plane's check of a snapshot, and the docs. Handlers live beside it, never in it.
 */
export interface PluginSchema {
  readonly name: string;
  readonly version: string;
  /** Kong's PRIORITY: higher runs first within a phase. */
  readonly priority: number;
  readonly phases: readonly PluginPhase[];
  /** Default `protocols` of a plugin instance. */
  readonly protocols: readonly string[];
  /** The plugin cannot be scoped to a consumer (authentication plugins, which find the consumer). */
  readonly no_consumer?: boolean;
  /** Fields of the `config` record. */
  readonly config: FieldMap;
  /**
   * Cross-field rules over `config`. A field may be a dotted path into a record (`redis.host`),
   * as in Kong's `config.redis.host`.
   */
  readonly config_checks?: readonly EntityCheck[];
  /**
   * A rule the checks above cannot say (Kong's `custom_validator`), run on the validated config
   * when it has no other error: the message, or null when the config is fine.
   */
  readonly config_validator?: (config: Readonly<Record<string, unknown>>) => string | null;
  /**
   * Older flat names still accepted on input, mapped to their dotted path
   * (Kong 3.x's `redis_host` -> `redis.host`).
   */
  readonly shorthands?: Readonly<Record<string, string>>;
}
