import { plugins, type FieldErrors } from '@tollgate/config';
import { findPluginSchema, validatePluginConfig } from '@tollgate/plugins';
import { withOrganization } from '../../organizations/organization-field';
import { defineHome, type RuleContext } from '../entity-home';

/** The plugin must be known, and its config valid against the plugin's own schema. */
function checkPlugin(value: Record<string, unknown>, ctx: RuleContext, errors: FieldErrors): void {
  if (errors.name || errors.config) return;
  const name = value.name as string;
  const schema = findPluginSchema(name);
  if (!schema) {
    errors.name = `plugin '${name}' not enabled; add it to the 'plugins' configuration property`;
    return;
  }
  if (schema.no_consumer && value.consumer) {
    errors.consumer = `value must be null`;
  }
  const result = validatePluginConfig(name, value.config ?? {}, { coerce: ctx.fromForm });
  if (result.errors) Object.assign(errors, result.errors);
  else value.config = result.value;
}

export const pluginsHome = defineHome({
  // Kong's plugins schema has endpoint_key = "instance_name": /plugins/{instance_name} works like
  // /services/{name}. Set here, on the admin view only: declarative files key plugins their own way.
  definition: Object.freeze({ ...withOrganization(plugins), endpointKey: 'instance_name' }),
  tenancy: { kind: 'owned' },
  rules: { check: checkPlugin, inheritsOrganizationFrom: ['route', 'service'], providerMustAttach: true },
});
