/** `npx tsx local-services/src/build-ferretdb.ts`: build the FerretDB launcher now (CI does, before the tests). */
import { ensureFerretdbLauncher, LAUNCHER_PATH } from './ferretdb';
import { which } from './processes';

if (process.env.MONGO_URL || which('mongod')) {
  process.stdout.write('MONGO_URL or mongod present: the FerretDB launcher is not needed.\n');
} else {
  ensureFerretdbLauncher((line) => process.stdout.write(`${line}\n`));
  process.stdout.write(`FerretDB launcher ready: ${LAUNCHER_PATH}\n`);
}
