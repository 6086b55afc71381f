import { Injectable } from '@nestjs/common';
import { validateRecord, type EntityDefinition } from '@tollgate/config';
import { availablePlugins, findPluginSchema, validatePluginConfig } from '@tollgate/plugins';
import type { ParsedBody } from '../admin/admin-body-parser';
import { AdminError, AdminErrorCode } from '../admin/admin-error';
import { schemaViolation } from '../entities/entity-errors';
import { expandShorthands } from '../entities/entity-input';
import { ADMIN_ENTITIES } from '../entities/entity-registry';
import { formatField, formatFields, formatSchema } from './kong-schema-format';

function findByName(name: string): EntityDefinition {
  const def = ADMIN_ENTITIES.find((e) => e.name === name || e.adminPath === name);
  if (!def) throw new AdminError(AdminErrorCode.NOT_FOUND, `No entity named '${name}'`, { entity: name });
  return def;
}

@Injectable()
export class SchemasService {
  enabledPlugins() {
    return { enabled_plugins: availablePlugins() };
  }

  entitySchema(name: string) {
    const def = findByName(name);
    return formatSchema(def.fields, def.entityChecks);
  }

  pluginSchema(name: string) {
    const plugin = findPluginSchema(name);
    if (!plugin) throw new AdminError(AdminErrorCode.NOT_FOUND, `No plugin named '${name}'`, { name });
    return {
      name: plugin.name,
      priority: plugin.priority,
      phases: plugin.phases,
      fields: [
        { protocols: formatField({ type: 'set', elements: { type: 'string' }, default: plugin.protocols }) },
        { config: { type: 'record', required: true, fields: formatFields(plugin.config), entity_checks: plugin.config_checks ?? [] } },
      ],
    };
  }

  validateEntity(name: string, parsed: ParsedBody) {
    const def = findByName(name);
    const { errors } = validateRecord(def.fields, expandShorthands(def, parsed.body), { coerce: parsed.fromForm }, def.entityChecks);
    if (errors) throw schemaViolation(errors);
    return { message: 'schema validation successful' };
  }

  validatePlugin(parsed: ParsedBody) {
    const name = parsed.body.name;
    if (typeof name !== 'string') throw schemaViolation({ name: 'required field missing' });
    const { errors } = validatePluginConfig(name, parsed.body.config ?? {}, { coerce: parsed.fromForm });
    if (errors) throw schemaViolation(errors);
    return { message: 'schema validation successful' };
  }
}
