const nx = require('@nx/eslint-plugin');
const tseslint = require('typescript-eslint');

// Module boundaries between the planes: the data plane and the shared libs never reach Postgres
// or control-plane code (DESIGN.md section 1).
const databaseClients = ['typeorm', '@nestjs/typeorm', 'pg', 'pg-*'];
const depConstraints = [
  {
    sourceTag: 'scope:shared',
    onlyDependOnLibsWithTags: ['scope:shared'],
    bannedExternalImports: [...databaseClients, '@nestjs/*'],
  },
  {
    sourceTag: 'scope:data-plane',
    onlyDependOnLibsWithTags: ['scope:shared', 'scope:data-plane'],
    bannedExternalImports: [...databaseClients, '@nestjs/*'],
  },
  { sourceTag: 'scope:control-plane', onlyDependOnLibsWithTags: ['scope:shared', 'scope:control-plane'] },
  { sourceTag: 'scope:cli', onlyDependOnLibsWithTags: ['scope:shared', 'scope:cli'], bannedExternalImports: databaseClients },
  { sourceTag: 'scope:platform', onlyDependOnLibsWithTags: ['*'] },
  { sourceTag: 'scope:testing', onlyDependOnLibsWithTags: ['*'] },
];

module.exports = [
  { ignores: ['**/node_modules/**', '**/dist/**', '**/.tollgate/**', '**/coverage/**', '**/*.js'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    rules: {
      '@nx/enforce-module-boundaries': ['error', { allow: [], depConstraints }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    // Test helpers, tests and benchmarks start whole planes in-process: only they may import an app.
    files: ['libs/testing/**/*.ts', 'test/**/*.ts', 'apps/platform/**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          allow: [
            '@tollgate/control-plane',
            '@tollgate/data-plane',
            '@tollgate/data-plane-sync',
            '@tollgate/data-plane-usage',
            '@tollgate/control-plane-main',
            '@tollgate/data-plane-main',
            // The CLI's commands have no package face; its e2e suite calls them directly.
            '../../apps/cli/src/**',
            // Whole-platform plugin suites reuse the data plane's test support (upstreams, settings).
            '../../apps/data-plane/test/support/**',
            // The admin-token benchmark times the verifier class itself.
            '../../apps/control-plane/src/access/admin-tokens/admin-token-verifier',
            // The invoice benchmark drives the period close on a data source of its own.
            '../../apps/control-plane/src/billing/**',
            '../../apps/control-plane/src/database/data-source-options',
          ],
          depConstraints,
        },
      ],
    },
  },
];
