/**
 * The documents come from the contract: the committed swagger.yaml is what
 * `npm run docs:openapi` writes today, and each service's `/docs` lists only
 * its own routes, with the URL it really answers on as its server.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { mountDocs, restContract, SWAGGER_PATH } from '@chat/shared';
import type { RestService } from '@chat/shared';
import { swaggerYaml } from '../../scripts/docs/openapi';

interface ServedDoc {
  servers: { url: string }[];
  paths: Record<string, Record<string, unknown>>;
}

async function servedDocs(service: RestService): Promise<{ doc: ServedDoc; url: string }> {
  const app = express();
  mountDocs(app, service);
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => { server.once('listening', resolve); });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const res = await fetch(`${url}/docs/swagger.json`);
    assert.equal(res.status, 200);
    const ui = await fetch(`${url}/docs/`);
    assert.equal(ui.status, 200);
    return { doc: await res.json() as ServedDoc, url };
  } finally {
    await new Promise((resolve) => { server.close(resolve); });
  }
}

const operationsOf = (doc: ServedDoc) => Object.entries(doc.paths)
  .flatMap(([path, item]) => Object.keys(item).map((method) => `${method} ${path}`)).sort();

const declared = (service: RestService) => [...new Set(Object.values(restContract[service])
  .map((route) => `${route.method} ${route.path}`))].sort();

describe('API documents', () => {
  it('swagger.yaml is what `npm run docs:openapi` generates from the contract (run it after changing a route)', () => {
    assert.equal(fs.readFileSync(SWAGGER_PATH, 'utf8'), swaggerYaml());
  });

  (['dataService', 'chatServer', 'dispatcher'] as const).forEach((service) => {
    it(`${service}: /docs lists its own routes only, and the URL it answers on as the server`, async () => {
      const { doc, url } = await servedDocs(service);
      assert.deepEqual(doc.servers.map((s) => s.url), [url]);
      assert.deepEqual(operationsOf(doc), declared(service));
    });
  });

  it('a chat server does not document the data service or the registry', async () => {
    const { doc } = await servedDocs('chatServer');
    assert.ok(doc.paths['/chat/groups']);
    assert.equal(doc.paths['/group'], undefined);
    assert.equal(doc.paths['/dispatcher/servers'], undefined);
  });
});
