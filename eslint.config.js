// @ts-check
const js = require('@eslint/js');
const tseslint = require('typescript-eslint');

module.exports = tseslint.config(
  { ignores: ['dist/**', 'dist-bench/**', 'node_modules/**', 'coverage/**', 'data/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.js'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable', process: 'readonly', __dirname: 'readonly', console: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': ['error', { selector: "CallExpression[callee.object.name='console'][callee.property.name='log']", message: 'Write through the injected output or logger, not console.log.' }],
    },
  },
  {
    // Imports flow one way: nothing below the Slack layer may import Bolt.
    files: ['src/{input,rules,probes,front,diagnosis,store,sandbox}/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group: ['@slack/*'], message: 'Only src/slack may import Slack packages.' }] }] },
  },
);
