export * from './schema/field';
export * from './schema/validate';
export * from './schema/string-checks';
export * from './schema/pcre-regex';
export * from './entities';
export * from './snapshot';
export * from './declarative';
