import type { FieldSchema } from '@tollgate/config';

/**
 * Kong's `custom_fields_by_lua` (typedefs.lua_code), kept so a Kong config reads the same: null or
 * an empty map is accepted; any entry is refused at the admin API naming the field, since the data
 * plane runs no Lua.
 */
export const customFieldsByLua: FieldSchema = {
  type: 'map',
  keys: { type: 'string', len_min: 1 },
  values: { type: 'string', check: 'lua_code' },
  nullable: true,
  description: 'Kong: Lua code per log field. Not supported (Tollgate runs no Lua): must be null or empty.',
};
