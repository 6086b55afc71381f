// One jest run for the whole monorepo: unit specs beside the code, integration specs that talk
// to the machine's Postgres and Redis, and whole-platform e2e specs under test/e2e.
const { compilerOptions } = require('./tsconfig.base.json');

const moduleNameMapper = {};
for (const [alias, [target]] of Object.entries(compilerOptions.paths)) {
  moduleNameMapper[`^${alias}$`] = `<rootDir>/${target}`;
}

const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
    },
    module: { type: 'commonjs' },
  },
];

module.exports = {
  testEnvironment: 'node',
  rootDir: __dirname,
  roots: ['<rootDir>/apps', '<rootDir>/libs', '<rootDir>/test'],
  testMatch: ['**/*.spec.ts', '**/*.e2e-spec.ts'],
  // @nestjs/typeorm 12 ships ES modules only: jest's CommonJS runtime needs it compiled too.
  transform: { '^.+\\.ts$': swc, '/node_modules/@nestjs/typeorm/.+\\.js$': swc },
  transformIgnorePatterns: ['/node_modules/(?!@nestjs/typeorm/)'],
  moduleNameMapper,
  setupFiles: ['reflect-metadata'],
  testTimeout: 60000,
};
