import type { PluginSchema } from '../plugin-schema';
import { BUNDLED_PLUGIN_VERSION, PROTOCOLS_HTTP, stringArray } from '../typedefs';

export const botDetectionSchema: PluginSchema = {
  name: 'bot-detection',
  version: BUNDLED_PLUGIN_VERSION,
  priority: 2500,
  phases: ['access'],
  protocols: PROTOCOLS_HTTP,
  no_consumer: true,
  config: {
    allow: stringArray('Regular expressions of User-Agents let through even when they match a bot rule.', { type: 'string', check: 'regex' }),
    deny: stringArray('Regular expressions of User-Agents refused with 403.', { type: 'string', check: 'regex' }),
  },
};
