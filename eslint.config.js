// @ts-check
const js = require('@eslint/js');
const tseslint = require('typescript-eslint');

module.exports = tseslint.config(
  { ignores: ['dist/**', 'dist-bench/**', 'node_modules/**', 'coverage/**', 'data/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.js'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: {
        require: 'readonly',
        module: 'writable',
        process: 'readonly',
        __dirname: 'readonly',
        console: 'readonly',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.object.name='console'][callee.property.name='log']",
          message: 'Write through the injected output or logger, not console.log.',
        },
      ],
    },
  },
  // Imports flow one way (slack, cli → diagnosis → input, rules, probes → front): nothing below the Slack
  // layer imports Bolt, and no layer imports one above it.
  ...[
    ['src/{diagnosis,store,sandbox}/**/*.ts', ['../slack', '../slack/*', '../commands/*', '../cli']],
    // The keyring stores nothing: the store seals with it, never the other way round.
    ['src/secrets/**/*.ts', ['../store', '../store/*', '../slack', '../slack/*', '../commands/*', '../cli']],
    [
      'src/probes/**/*.ts',
      [
        '../diagnosis',
        '../diagnosis/*',
        '../slack/*',
        '../commands/*',
        '../rules',
        '../rules/*',
        '../input',
        '../input/*',
      ],
    ],
    [
      'src/rules/**/*.ts',
      [
        '../diagnosis',
        '../diagnosis/*',
        '../probes',
        '../probes/*',
        '../front',
        '../front/*',
        '../input',
        '../input/*',
        '../slack/*',
      ],
    ],
    [
      'src/input/**/*.ts',
      ['../diagnosis', '../diagnosis/*', '../probes', '../probes/*', '../rules', '../rules/*', '../slack/*'],
    ],
    [
      'src/front/**/*.ts',
      [
        '../diagnosis',
        '../diagnosis/*',
        '../probes',
        '../probes/*',
        '../rules',
        '../rules/*',
        '../input',
        '../input/*',
        '../slack/*',
      ],
    ],
  ].map(([files, above]) => ({
    files: [files],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@slack/*'], message: 'Only src/slack may import Slack packages.' },
            {
              group: above,
              message: 'Imports flow one way (README, How it works): this layer may not import that one.',
            },
          ],
        },
      ],
    },
  })),
  // Inside src/slack the same one-way flow (src/slack/README.md): a request comes in through app/, a listener or a
  // slash verb handles it, checks/ runs the diagnosis, render/ builds the blocks and send/ posts them. Rendering
  // and sending know nothing of who asked; nothing but app/create-app wires the listeners.
  ...[
    ['src/slack/render/**/*.ts', ['../app/*', '../checks/*', '../listeners/*', '../slash/*', '../send/*']],
    ['src/slack/send/**/*.ts', ['../app/*', '../checks/*', '../listeners/*', '../slash/*']],
    ['src/slack/checks/**/*.ts', ['../app/create-app', '../listeners/*', '../slash/*']],
    ['src/slack/slash/**/*.ts', ['../app/create-app', '../listeners/*']],
    ['src/slack/listeners/**/*.ts', ['../../app/create-app']],
  ].map(([files, above]) => ({
    files: [files],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: above, message: 'Imports flow one way inside src/slack (src/slack/README.md).' }] },
      ],
    },
  })),
);
