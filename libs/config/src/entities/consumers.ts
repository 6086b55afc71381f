import { defineEntity } from './entity-definition';

export const consumers = defineEntity({
  name: 'consumers',
  endpointKey: 'username',
  fields: {
    username: { type: 'string', unique: true, nullable: true, len_min: 1, len_max: 256, description: 'Unique username' },
    custom_id: { type: 'string', unique: true, nullable: true, len_min: 1, len_max: 256, description: 'Unique id from an external system' },
  },
  entityChecks: [{ at_least_one_of: ['custom_id', 'username'] }],
});
