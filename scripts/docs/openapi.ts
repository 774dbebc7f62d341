/**
 * Writes swagger.yaml (OpenAPI 3.1, every service's routes) from the contract:
 * `npm run docs:openapi`. The file is committed; a test fails when it is stale.
 * Each running service serves its own part at `/docs`, generated the same way.
 */
import fs from 'node:fs';
import YAML from 'yaml';
import { openApiDocument, SWAGGER_PATH } from '@chat/shared';

/** Where `npm start` runs each service (each one's `/docs` names the URL it really answers on). */
const NPM_START_SERVERS = [
  { url: 'http://localhost:3000', description: 'Data service (internal), under `npm start`' },
  { url: 'http://localhost:4001', description: 'First chat server, under `npm start`' },
  { url: 'http://localhost:4002', description: 'Second chat server, under `npm start`' },
  { url: 'http://localhost:5000', description: 'Dispatcher, under `npm start`' },
];

const HEADER = '# Generated from contract/src/rest by `npm run docs:openapi`; do not edit by hand.\n';

export function swaggerYaml(): string {
  const doc = openApiDocument({ services: ['dataService', 'chatServer', 'dispatcher'], servers: NPM_START_SERVERS });
  return HEADER + YAML.stringify(doc, { aliasDuplicateObjects: false, lineWidth: 0 });
}

if (require.main === module) {
  fs.writeFileSync(SWAGGER_PATH, swaggerYaml());
  process.stdout.write(`wrote ${SWAGGER_PATH}\n`);
}
