// ESLint flat config: @eslint/js and typescript-eslint's recommended rules, without type-aware
// rules (no parserOptions.project / projectService), so `npm run lint` stays fast.
// Type errors are `npm run typecheck`'s job; formatting is prettier's (`npm run format:check`).
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  globalIgnores([
    'dist/',
    'node_modules/',
    'coverage/',
    '.tap/',
    'test/fixtures/',
    // conformance lists are data; the suites themselves live outside the repo (../shared/conformance)
    'conformance/',
    'helm/',
    // AssemblyScript (compiled by scripts/build-wasm-runtime.mjs), not TypeScript
    'src/rego/wasm/runtime/assembly/',
  ]),
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: 'module',
      globals: { ...globals.node },
    },
    rules: {
      // Tuned, not off: the code marks a deliberately unused binding with a leading underscore
      // (`const { $id: _id, ...rest } = s`, `start(_argv)`, `for (const _ of s)`), and leaves out
      // keys with a rest sibling.
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
      // Tuned, not off: `[v, meta] = cut(v, '+')` reassigns one name and sets another declared
      // before; only ask for const when every name in a destructuring could be const.
      'prefer-const': ['error', { destructuring: 'all' }],
      // Off: walking a scope chain starts from `this` (`for (let s: Scope | null = this; s; s = s.parent)`),
      // and `const self = this` is used where a callback object's methods must reach the instance.
      '@typescript-eslint/no-this-alias': 'off',
    },
  },
  {
    files: ['test/**'],
    rules: {
      // Off in tests: expected CLI output is matched with its indentation written out
      // (`/\n  [^\n]*eval_conflict_error/`), which reads better than ` {2}`.
      'no-regex-spaces': 'off',
    },
  },
  {
    files: ['test/deploy/**'],
    rules: {
      // Off in the deploy tests: they walk Kubernetes manifests, Helm output and compose files
      // parsed from YAML, whose shape is what the test asserts, not something typed in advance.
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
);
