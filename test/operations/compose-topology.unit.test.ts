/**
 * The shape of both compose files: who is reachable from outside (only nginx), the data
 * service on internal networks only, the replicas the issue asks for, a healthcheck
 * everywhere, every address a service is given pointing at a service it shares a
 * network with, and every file a compose file names existing in the repository.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { ComposeFile, ComposeService } from './support/compose';
import {
  COMPOSE_FILES, ROOT, hostOf, loadCompose, namesOn, servicesOf,
} from './support/compose';
import { stagesOf } from './support/dockerfile';

const exists = (rel: string) => fs.existsSync(path.join(ROOT, rel));
/** Mounted folders that a compose service itself produces (the dev `client` build). */
const BUILT_BY_COMPOSE = ['./client/dist'];

/** The healthcheck the container runs: compose's own, else its image's Dockerfile HEALTHCHECK. */
function healthcheckOf(service: ComposeService): string | undefined {
  if (service.healthcheck) return service.healthcheck.join(' ');
  if (!service.build) return undefined;
  const stages = stagesOf(path.join(service.build.context, service.build.dockerfile), service.build.args);
  return stages[stages.length - 1]?.instructions.find((i) => i.keyword === 'HEALTHCHECK')?.args;
}

/** Services that `name` in `value` can reach: those answering to that name on a shared network. */
function reachable(compose: ComposeFile, from: ComposeService, host: string): ComposeService[] {
  return [...compose.services.values()].filter((target) => target !== from
    && from.networks.some((net) => namesOn(target, net).includes(host)));
}

COMPOSE_FILES.forEach((file) => {
  describe(`operations: ${file} topology`, function () {
    const compose = loadCompose(file);
    const services = [...compose.services.values()];
    const data = servicesOf(compose, 'mongo-chat-server');
    const chats = servicesOf(compose, 'server');
    const dispatchers = servicesOf(compose, 'dispatcher');

    it('runs one data service, two dispatcher replicas and three chat servers, each with its own id', function () {
      assert.equal(data.length, 1);
      assert.equal(dispatchers.length, 2);
      assert.equal(chats.length, 3);
      assert.equal(new Set(dispatchers.map((d) => d.env.DISPATCHER_ID)).size, 2);
      assert.equal(new Set(chats.map((c) => c.env.SERVER_ID)).size, 3);
    });

    it('publishes ports for nginx only', function () {
      const published = services.filter((s) => s.ports.length > 0).map((s) => s.name);
      assert.deepEqual(published, ['nginx']);
    });

    it('keeps the data service on internal networks only, with no published port', function () {
      const [service] = data;
      assert.ok(service);
      assert.deepEqual(service.ports, []);
      assert.ok(service.networks.length > 0);
      service.networks.forEach((net) => assert.equal(compose.networks[net]?.internal, true, `${net} is not internal`));
      const nginx = compose.services.get('nginx');
      assert.ok(nginx && !nginx.networks.some((net) => service.networks.includes(net)), 'nginx can reach the data service');
    });

    it('runs the official MongoDB image with its data in a named volume, reachable only by the data service', function () {
      const mongo = compose.services.get('mongo');
      assert.ok(mongo);
      assert.match(mongo.image ?? '', /^mongo:\d/);
      const dataVolume = mongo.volumes.find((v) => v.split(':')[1] === '/data/db');
      assert.ok(dataVolume, 'no volume at /data/db');
      assert.ok(compose.volumes.includes(dataVolume.split(':')[0] as string), 'the /data/db volume is not a named volume');
      const neighbours = services.filter((s) => s !== mongo && s.networks.some((n) => mongo.networks.includes(n)));
      assert.deepEqual(neighbours.map((s) => s.name), data.map((s) => s.name));
    });

    it('runs Redis 7', function () {
      assert.match(compose.services.get('redis')?.image ?? '', /^redis:7/);
    });

    it('gives every long-running service a healthcheck, and waits only on healthchecks that exist', function () {
      services.forEach((s) => {
        const oneShot = services.some((o) => o.dependsOn[s.name] === 'service_completed_successfully');
        if (!oneShot) assert.ok(healthcheckOf(s), `${s.name} has no healthcheck`);
        Object.entries(s.dependsOn).forEach(([target, condition]) => {
          const dependency = compose.services.get(target);
          assert.ok(dependency, `${s.name} depends on unknown ${target}`);
          if (condition === 'service_healthy') assert.ok(healthcheckOf(dependency), `${target} has no healthcheck`);
        });
      });
    });

    it('gives every Node service addresses of services it shares a network with', function () {
      const expectations: Array<[string, string]> = [
        ['DATA_SERVICE_URL', 'mongo-chat-server'], ['DISPATCHER_URL', 'dispatcher'],
        ['REDIS_URL', 'redis'], ['MONGO_URL', 'mongo'],
      ];
      services.filter((s) => s.workspace).forEach((s) => {
        expectations.filter(([name]) => s.env[name]).forEach(([name, workspaceOrService]) => {
          const { host, port } = hostOf(s.env[name] as string);
          const targets = reachable(compose, s, host);
          assert.ok(targets.length > 0, `${s.name} ${name}: no service answers to ${host} on its networks`);
          targets.forEach((t) => {
            assert.ok(t.workspace === workspaceOrService || t.name === workspaceOrService, `${s.name} ${name} reaches ${t.name}`);
            if (t.workspace) assert.equal(port, t.env.PORT, `${s.name} ${name} port`);
          });
        });
      });
      chats.forEach((chat) => {
        const viaUrl = reachable(compose, chat, hostOf(chat.env.DISPATCHER_URL ?? '').host);
        assert.deepEqual(viaUrl.map((t) => t.name).sort(), dispatchers.map((d) => d.name).sort(), 'DISPATCHER_URL must reach both replicas');
      });
    });

    it('lets nginx reach every dispatcher and chat server', function () {
      const nginx = compose.services.get('nginx');
      assert.ok(nginx);
      [...dispatchers, ...chats].forEach((s) => {
        assert.ok(reachable(compose, nginx, s.name).includes(s), `nginx cannot reach ${s.name}`);
      });
    });

    it('names only files that exist: build contexts, Dockerfiles, env files, mounts, commands', function () {
      services.forEach((s) => {
        if (s.build) {
          assert.ok(exists(s.build.context), `${s.name} build.context ${s.build.context}`);
          assert.ok(exists(path.join(s.build.context, s.build.dockerfile)), `${s.name} dockerfile ${s.build.dockerfile}`);
        }
        s.envFiles.forEach((f) => assert.ok(exists(f), `${s.name} env_file ${f}`));
        s.volumes.filter((v) => v.startsWith('.')).forEach((v) => {
          const source = v.split(':')[0] as string;
          assert.ok(exists(source) || BUILT_BY_COMPOSE.includes(source), `${s.name} mounts missing ${v}`);
        });
        [...s.command, ...(s.healthcheck ?? [])].filter((arg) => /^[\w.-]+\/[\w./-]+\.(ts|js)$/.test(arg))
          .forEach((arg) => assert.ok(exists(arg), `${s.name} runs missing ${arg}`));
        if (s.workspace && s.command.length > 0) {
          assert.ok(s.command.includes(`${s.workspace}/src/index.ts`), `${s.name} does not start ${s.workspace}`);
        }
      });
    });
  });
});
