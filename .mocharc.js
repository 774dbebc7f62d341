// One mocha run covers every part: `npm test` names the spec files (package.json),
// so `npx mocha <file>` runs just that file. Global fixtures start the
// MongoDB-compatible server and Redis once; each test file uses its own database.
module.exports = {
  require: ['tsx/cjs', 'local-services/src/mocha-fixtures.ts'],
  timeout: 20000,
  exit: true,
};
