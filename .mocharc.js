// One mocha run covers every part: `npm test` names the spec files and `npm run test:unit`
// the pure ones (`*.unit.test.ts`, package.json), so `npx mocha <file>` runs just that file.
// The global fixtures start the MongoDB-compatible server and Redis once, and only when a
// loaded file is not a unit file; each test file uses its own database.
module.exports = {
  require: ['tsx/cjs', 'local-services/src/mocha-fixtures.ts'],
  timeout: 20000,
  exit: true,
};
