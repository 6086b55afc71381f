/**
 * Thrown by a handler's `prepare` for a config its schema accepts but this data plane cannot run
 * (rate-limiting's `cluster` policy); the apply turns it into a Nack naming the plugin and field.
 */
export class PluginConfigError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}
