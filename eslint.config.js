// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'data/', 'test-results/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly' },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // One clock: use cases receive `now`; only src/platform/clock.ts reads the system time.
      'no-restricted-properties': ['error', { object: 'Date', property: 'now', message: 'Use the injected clock (src/platform/clock.ts).' }],
    },
  },
  {
    // Scripts the pages load in the browser (progressive enhancement only).
    files: ['src/web/assets/**/*.js'],
    languageOptions: { sourceType: 'script', globals: { document: 'readonly', navigator: 'readonly', window: 'readonly' } },
  },
  {
    files: ['src/platform/clock.ts', 'test/**', 'bench/**', 'scripts/**'],
    rules: { 'no-restricted-properties': 'off' },
  },
);
