// The client runs in the browser: lint it against its own tsconfig (DOM lib) on top of the root rules.
module.exports = {
  parserOptions: { project: './tsconfig.json', tsconfigRootDir: __dirname },
  env: { browser: true, node: false },
  rules: {
    // Views update the DOM elements they are handed: mutating a parameter's properties is the point.
    'no-param-reassign': ['error', { props: false }],
  },
  settings: { 'import/resolver': { typescript: { project: './client/tsconfig.json' }, node: true } },
  overrides: [{ files: ['test/**/*.ts', 'vite.config.ts'], env: { node: true, mocha: true } }],
};
