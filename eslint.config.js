import { defineConfig, globalIgnores } from 'eslint/config';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

// typescript-eslint's `strict` set (a superset of `recommended`) without type information: the type-checked sets
// would run the TypeScript program a second time on every lint; `tsc --noEmit` in `npm run check` already does that.
export default defineConfig(
  globalIgnores(['dist/', 'node_modules/', '.tools/', 'data/', 'coverage/', 'web/dist/', 'src/ingest/otlp/proto/']),
  tseslint.configs.strict,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // `no-explicit-any` and `no-non-null-assertion` are errors everywhere else (from `strict`; DESIGN §8: receive
    // `unknown`, parse with zod). Tests may use `any` to build malformed fixtures, and `rows[0]!` where an assertion
    // failing would fail the test anyway (`expect(x).toBeDefined()` does not narrow under noUncheckedIndexedAccess).
    // Benchmarks index into arrays they just built the same way.
    files: ['**/*.test.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-dynamic-delete': 'off',
    },
  },
  {
    // The console (web/): the rules of hooks, and effects that list what they read.
    files: ['web/src/**/*.{ts,tsx}'],
    ...reactHooks.configs.flat.recommended,
  },
  {
    // The server logs through pino; only the CLI writes to the console (bench/, scripts/ and test/ are outside src/).
    files: ['src/**/*.ts'],
    ignores: ['src/cli/**'],
    rules: { 'no-console': 'error' },
  },
);
