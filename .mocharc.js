// One mocha run covers every part: `npm test`. Global fixtures start the
// MongoDB-compatible server and Redis once; each test file uses its own database.
module.exports = {
  require: ['tsx/cjs', 'local-services/src/mocha-fixtures.ts'],
  spec: [
    'shared/test/**/*.test.ts',
    'local-services/test/**/*.test.ts',
    'mongo-chat-server/test/**/*.test.ts',
    'server/test/**/*.test.ts',
    'dispatcher/test/**/*.test.ts',
    'client/test/**/*.test.ts',
    'test/**/*.test.ts',
  ],
  timeout: 20000,
  exit: true,
};
