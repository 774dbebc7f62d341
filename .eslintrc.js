// airbnb-base, taught TypeScript: the typescript-eslint parser and the TS twins of
// the few base rules that misread TypeScript syntax.
module.exports = {
  root: true,
  parser: '@typescript-eslint/parser',
  parserOptions: { project: './tsconfig.eslint.json', tsconfigRootDir: __dirname },
  plugins: ['@typescript-eslint'],
  extends: ['airbnb-base', 'plugin:@typescript-eslint/recommended'],
  env: { node: true, es2022: true },
  settings: {
    'import/resolver': { typescript: { project: './tsconfig.eslint.json' }, node: true },
    'import/extensions': ['.js', '.ts'],
  },
  ignorePatterns: ['node_modules/', 'dist/', '.cache/', 'client/dist/', '*.js', '!.eslintrc.js'],
  rules: {
    'import/extensions': ['error', 'ignorePackages', { js: 'never', ts: 'never' }],
    'import/prefer-default-export': 'off',
    'import/no-extraneous-dependencies': ['error', {
      devDependencies: ['**/test/**', '**/bench/**', 'scripts/**', '**/*.config.ts', 'local-services/**', 'client/**'],
      packageDir: [__dirname, './contract', './protocol-client', './shared', './local-services', './mongo-chat-server', './server', './dispatcher', './client'],
    }],
    'no-shadow': 'off',
    '@typescript-eslint/no-shadow': 'error',
    'no-use-before-define': 'off',
    '@typescript-eslint/no-use-before-define': ['error', { functions: false, classes: true, variables: true }],
    'no-unused-vars': 'off',
    '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    'no-useless-constructor': 'off',
    '@typescript-eslint/no-useless-constructor': 'error',
    'no-empty-function': 'off',
    'lines-between-class-members': ['error', 'always', { exceptAfterSingleLine: true }],
    'no-restricted-syntax': ['error', 'ForInStatement', 'LabeledStatement', 'WithStatement'],
    'no-await-in-loop': 'off',
    'no-continue': 'off',
    'no-underscore-dangle': ['error', { allow: ['_id'] }],
    'max-len': ['error', { code: 120, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreComments: true }],
    'class-methods-use-this': 'off',
    'no-void': ['error', { allowAsStatement: true }],
    'no-redeclare': 'off',
    '@typescript-eslint/no-redeclare': 'error',
    '@typescript-eslint/no-explicit-any': 'error',
    '@typescript-eslint/consistent-type-imports': 'error',
  },
  overrides: [
    { files: ['**/test/**/*.ts', 'test/**/*.ts'], env: { mocha: true }, rules: { 'func-names': 'off', 'prefer-arrow-callback': 'off' } },
    // The protocol client runs in browsers too: no Node-only modules.
    {
      files: ['protocol-client/src/**/*.ts'],
      env: { browser: true, node: false },
      rules: { 'no-restricted-imports': ['error', { patterns: ['node:*', 'fs', 'path', 'os', 'crypto', 'http', 'https', 'net', 'ws'] }] },
    },
  ],
};
