import { defineEntity } from './entity-definition';

export const plugins = defineEntity({
  name: 'plugins',
  regional: true,
  fields: {
    name: { type: 'string', required: true, description: 'Name of the plugin to run' },
    instance_name: { type: 'string', unique: true, nullable: true, check: 'name', len_max: 128, description: 'Unique name of this plugin instance' },
    route: { type: 'foreign', reference: 'routes', on_delete: 'cascade', nullable: true, description: 'Route the plugin is scoped to' },
    service: { type: 'foreign', reference: 'services', on_delete: 'cascade', nullable: true, description: 'Service the plugin is scoped to' },
    consumer: { type: 'foreign', reference: 'consumers', on_delete: 'cascade', nullable: true, description: 'Consumer the plugin is scoped to' },
    config: { type: 'json', default: {}, description: "The plugin's configuration, checked against /schemas/plugins/{name}" },
    protocols: {
      type: 'set',
      elements: { type: 'string', one_of: ['grpc', 'grpcs', 'http', 'https', 'tcp', 'tls', 'ws', 'wss'] },
      default: ['grpc', 'grpcs', 'http', 'https'],
      len_min: 1,
      description: 'Protocols on which the plugin runs',
    },
    enabled: { type: 'boolean', default: true, description: 'Whether the plugin runs' },
  },
  uniqueTogether: [['name', 'route', 'service', 'consumer']],
});
