/**
 * The scaled deployment: docker-compose.yml with docker-compose.cluster.yml on top, read
 * as compose merges them. A Redis Cluster of six nodes created by its init job, a
 * three-member replica set initiated by its own, every service pointed at them, and the
 * single Redis and MongoDB of the base file left out.
 */
import assert from 'node:assert/strict';
import { hostOf, loadCompose, servicesOf } from './support/compose';

const OVERRIDE = 'docker-compose.cluster.yml';
const REDIS_NODES = [1, 2, 3, 4, 5, 6].map((n) => `redis-node-${n}`);
const MONGO_MEMBERS = ['mongo-1', 'mongo-2', 'mongo-3'];

describe(`operations: docker-compose.yml + ${OVERRIDE}`, () => {
  const compose = loadCompose('docker-compose.yml', OVERRIDE);
  const service = (name: string) => {
    const found = compose.services.get(name);
    assert.ok(found, `service ${name}`);
    return found;
  };
  const text = (name: string) => service(name).command.join(' ');

  it('runs six Redis nodes in cluster mode and creates the cluster with one replica per primary', () => {
    REDIS_NODES.forEach((name) => {
      assert.match(text(name), /--cluster-enabled yes/);
      assert.ok(service(name).healthcheck, `${name} has a healthcheck`);
      assert.ok(service(name).networks.includes('backend'));
    });
    const init = text('redis-cluster-init');
    assert.match(init, /redis-cli --cluster create/);
    assert.match(init, /--cluster-replicas 1 --cluster-yes/);
    REDIS_NODES.forEach((name) => assert.ok(init.includes(`getent hosts ${name} `), `the init names ${name}`));
    REDIS_NODES.forEach((name) => assert.equal(service('redis-cluster-init').dependsOn[name], 'service_healthy'));
  });

  it('runs a three-member replica set and initiates it with every member', () => {
    MONGO_MEMBERS.forEach((name) => {
      assert.match(text(name), /--replSet rs0/);
      assert.deepEqual(service(name).networks, ['data'], `${name} only on the internal data network`);
    });
    const init = text('mongo-rs-init');
    assert.match(init, /rs\.initiate\(\{ _id: 'rs0'/);
    MONGO_MEMBERS.forEach((name) => assert.ok(init.includes(`host: '${name}:27017'`), `the init names ${name}`));
  });

  it('points the chat servers and dispatchers at the cluster, and waits for its creation', () => {
    const users = [...servicesOf(compose, 'server'), ...servicesOf(compose, 'dispatcher')];
    assert.equal(users.length, 5);
    users.forEach((s) => {
      assert.equal(s.env.REDIS_URL, '', `${s.name} has no single Redis`);
      const nodes = (s.env.REDIS_CLUSTER_NODES ?? '').split(',').map((n) => n.split(':')[0]);
      assert.deepEqual(nodes, REDIS_NODES, `${s.name} names the cluster's nodes`);
      assert.equal(s.dependsOn['redis-cluster-init'], 'service_completed_successfully');
    });
  });

  it('points the data service at the replica set with majority writes', () => {
    const [data] = servicesOf(compose, 'mongo-chat-server');
    assert.ok(data);
    const url = data.env.MONGO_URL ?? '';
    assert.equal(hostOf(url).host, 'mongo-1');
    MONGO_MEMBERS.forEach((name) => assert.ok(url.includes(`${name}:27017`), `the URL names ${name}`));
    assert.match(url, /replicaSet=rs0/);
    assert.equal(data.env.MONGO_WRITE_CONCERN, 'majority');
    assert.equal(data.dependsOn['mongo-rs-init'], 'service_completed_successfully');
  });

  it('leaves the single Redis and MongoDB out, and nothing requires them', () => {
    assert.ok(Array.isArray(service('redis').raw.profiles), 'redis is behind a profile');
    assert.ok(Array.isArray(service('mongo').raw.profiles), 'mongo is behind a profile');
    [...compose.services.values()].forEach((s) => {
      const deps = (s.raw.depends_on ?? {}) as Record<string, { required?: boolean }>;
      ['redis', 'mongo'].forEach((single) => {
        if (deps[single]) assert.equal(deps[single]?.required, false, `${s.name} does not require ${single}`);
      });
    });
    [...REDIS_NODES, ...MONGO_MEMBERS].forEach((name) => assert.ok(compose.volumes.includes(name), `volume ${name}`));
  });
});
