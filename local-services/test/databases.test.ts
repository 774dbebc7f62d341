import assert from 'node:assert/strict';
import mongoose from 'mongoose';
import { createClient } from 'redis';
import { startMongo, testMongoUrl, testRedisUrl } from '../src';

describe('local services', () => {
  it('gives each test file its own database on the shared MongoDB-compatible server', async () => {
    const url = testMongoUrl('local services');
    const conn = await mongoose.createConnection(url, { serverSelectionTimeoutMS: 5000 }).asPromise();
    try {
      await conn.collection('probe').insertOne({ hello: 'world' });
      const found = await conn.collection('probe').findOne({ hello: 'world' });
      assert.equal(found?.hello, 'world');
      assert.match(conn.name, /^t_local_services_/);
    } finally {
      await conn.dropDatabase();
      await conn.close();
    }
  });

  it('connects to the Redis the run started', async () => {
    const client = createClient({ url: testRedisUrl() });
    await client.connect();
    try {
      await client.set('probe', '1');
      assert.equal(await client.get('probe'), '1');
    } finally {
      await client.quit();
    }
  });

  it('starts a private server that can be stopped and restarted with its data intact', async function () {
    this.timeout(60000);
    const mongo = await startMongo({ privateServer: true });
    try {
      const url = `${mongo.url}/restart_probe`;
      let conn = await mongoose.createConnection(url, { serverSelectionTimeoutMS: 5000 }).asPromise();
      await conn.collection('probe').insertOne({ n: 1 });
      await conn.close();
      await mongo.restart();
      conn = await mongoose.createConnection(url, { serverSelectionTimeoutMS: 5000 }).asPromise();
      assert.equal(await conn.collection('probe').countDocuments({}), 1);
      await conn.close();
    } finally {
      await mongo.destroy();
    }
  });
});
