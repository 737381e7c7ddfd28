// Conventions the project enforces by tool rather than by review.
import js from '@eslint/js';
import vitest from '@vitest/eslint-plugin';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    // test/fixtures holds vendors' example programs, kept exactly as their pages print them.
    ignores: ['**/dist/**', '**/node_modules/**', '**/generated/**', '**/.turbo/**', '**/test/fixtures/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        console: 'readonly',
        process: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        fetch: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': ['error', { allow: ['warn', 'error'] }],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
    },
  },
  {
    files: ['**/*.test.ts', '**/*.test-d.ts', '**/test/**'],
    plugins: { vitest },
    rules: {
      ...vitest.configs.recommended.rules,
      // A test that cannot fail, or that is switched off, is worse than none.
      'vitest/no-focused-tests': 'error',
      'vitest/no-disabled-tests': 'error',
      // expect(value, message) is how a failure says which case broke.
      'vitest/valid-expect': ['error', { maxArgs: 2 }],
      'vitest/expect-expect': ['error', { assertFunctionNames: ['expect', 'expectTypeOf', 'assert*'] }],
      'no-console': 'off',
    },
  },
  {
    // The mock's source takes each API's types from the spec package (`@imagegen/spec/<slug>/types`),
    // never from a client package, so the mock depends on no client.
    files: ['apps/mock-server/src/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ regex: '^@imagegen/(?!spec(/|$)|docs(/|$))', message: "the mock imports no client package: take the API's types from @imagegen/spec/<slug>/types." }] },
      ],
    },
  },
  {
    // The vendor boundary: core/ holds mechanisms that know no vendor, so it imports nothing from
    // apis/ nor any API's package; a mechanism a vendor needs moves into core, made general.
    files: ['apps/mock-server/src/core/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/apis', '**/apis/**'], message: 'core/ knows no vendor: move what is shared into core/, keep the vendor in src/apis/<slug>/.' },
            { regex: '^@imagegen/(?!spec(/|$)|docs(/|$))', message: "core/ knows no vendor: no API's package in core/." },
            // `@imagegen/spec/<slug>/...` is one vendor's spec or generated types; the package's own files (`inferences.mjs`) are not.
            { regex: '^@imagegen/spec/[^/]+/', message: "core/ knows no vendor: no API's spec or types (@imagegen/spec/<slug>/...) in core/." },
          ],
        },
      ],
    },
  },
  {
    files: ['**/cli.ts', '**/run-cli.ts', '**/cli-args.ts', '**/bench/**', 'scripts/**', '**/*.mjs'],
    rules: { 'no-console': 'off' },
  },
);
