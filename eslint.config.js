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
  // Imports flow one way (slack, cli → diagnosis → input, rules, probes → front): nothing below the Slack
  // layer imports Bolt, and no layer imports one above it.
  ...[
    ['src/{diagnosis,store,sandbox}/**/*.ts', ['../slack', '../slack/*', '../commands/*', '../cli']],
    ['src/probes/**/*.ts', ['../diagnosis', '../diagnosis/*', '../slack/*', '../commands/*', '../rules', '../rules/*', '../input', '../input/*']],
    ['src/rules/**/*.ts', ['../diagnosis', '../diagnosis/*', '../probes', '../probes/*', '../front', '../front/*', '../input', '../input/*', '../slack/*']],
    ['src/input/**/*.ts', ['../diagnosis', '../diagnosis/*', '../probes', '../probes/*', '../rules', '../rules/*', '../slack/*']],
    ['src/front/**/*.ts', ['../diagnosis', '../diagnosis/*', '../probes', '../probes/*', '../rules', '../rules/*', '../input', '../input/*', '../slack/*']],
  ].map(([files, above]) => ({
    files: [files],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@slack/*'], message: 'Only src/slack may import Slack packages.' },
            { group: above, message: 'Imports flow one way (README, How it works): this layer may not import that one.' },
          ],
        },
      ],
    },
  })),
);
