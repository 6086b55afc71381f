export { kongLogEntry, kongLogJson, queryTable, type KongLogEntry } from './kong-log-entry';
export { customFieldsByLua } from './lua-code-field';
