/**
 * Compose sets exactly the environment each service reads: every variable the
 * service's own config.ts (and any process.env read in its or shared's sources) asks
 * for is set, nothing it does not read is set, and production secrets have no default.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  COMPOSE_FILES, ROOT, WORKSPACES, loadCompose, parseEnvFile, servicesOf,
} from './support/compose';
import { envVarsIn, envVarsOfWorkspace } from './support/config-vars';

const SECRETS = ['JWT_SECRET', 'INTERNAL_TOKEN'];

describe('operations: compose environment matches what the services read', function () {
  describe('finding the variables a service reads', function () {
    it('follows readEnv shapes through const names and spreads, and direct process.env reads', function () {
      const source = `
        const COMMON = { LOG_DIR: z.string().optional(), 'LOG_LEVEL': z.string() };
        const SHAPE = { ...COMMON, PORT: port(3000), nested: { NOT_ENV: 1 } } as const;
        const DURATION_UNITS = { s: 1, MINUTES: 60 };
        export const read = (env = process.env) => ({
          e: readEnv(SHAPE, env), debug: process.env.DEBUG_SQL, other: env['EXTRA_FLAG'],
        });
        const x = z.object({ INLINE_VAR: z.string() }).parse(process.env);`;
      assert.deepEqual(envVarsIn(source, true), ['DEBUG_SQL', 'EXTRA_FLAG', 'INLINE_VAR', 'LOG_DIR', 'LOG_LEVEL', 'PORT']);
    });

    it('outside config.ts counts only direct environment reads, not upper-case keys in data', function () {
      const source = 'const body = z.object({ SOME_KEY: z.string() }); const v = process.env.FEATURE_X;';
      assert.deepEqual(envVarsIn(source, false), ['FEATURE_X']);
    });
  });

  COMPOSE_FILES.forEach((file) => {
    describe(file, function () {
      const compose = loadCompose(file);

      it('runs every service workspace, and each Node service names an existing one', function () {
        WORKSPACES.forEach((ws) => assert.ok(servicesOf(compose, ws).length > 0, `no compose service runs ${ws}`));
        [...compose.services.values()].filter((s) => s.workspace).forEach((s) => {
          assert.ok((WORKSPACES as readonly string[]).includes(s.workspace as string), `${s.name} runs unknown ${s.workspace}`);
        });
      });

      WORKSPACES.forEach((ws) => {
        it(`sets every variable ${ws} reads, and none it does not read`, function () {
          const reads = envVarsOfWorkspace(ws);
          servicesOf(compose, ws).forEach((service) => {
            const set = Object.keys(service.env);
            const missing = reads.filter((name) => !set.includes(name));
            const unread = set.filter((name) => !reads.includes(name));
            assert.deepEqual(missing, [], `${file} ${service.name} does not set ${missing.join(', ')} (read by ${ws})`);
            assert.deepEqual(unread, [], `${file} ${service.name} sets ${unread.join(', ')}, which ${ws} never reads`);
          });
        });
      });
    });
  });

  describe('docker-compose.yml (production)', function () {
    const compose = loadCompose('docker-compose.yml');
    const nodeServices = [...compose.services.values()].filter((s) => s.workspace);

    it('runs every Node service with NODE_ENV=production', function () {
      nodeServices.forEach((s) => assert.equal(s.env.NODE_ENV, 'production', s.name));
    });

    it('takes the secrets from the environment with no default: compose refuses to start without them', function () {
      nodeServices.forEach((s) => {
        SECRETS.filter((name) => name in s.env).forEach((name) => {
          assert.match(s.environment[name] ?? '', new RegExp(`^\\$\\{${name}:\\?[^}]+\\}$`), `${s.name} ${name}`);
        });
      });
      const mongo = compose.services.get('mongo');
      assert.ok(mongo);
      Object.entries(mongo.environment).filter(([k]) => /PASSWORD/.test(k)).forEach(([k, v]) => {
        assert.match(v, /^\$\{\w+:\?[^}]+\}$/, `mongo ${k}`);
      });
      const data = servicesOf(compose, 'mongo-chat-server')[0];
      assert.match(data?.env.MONGO_URL ?? '', /^mongodb:\/\/\w+:\$\{MONGO_PASSWORD:\?[^}]+\}@/);
    });

    it('keeps secrets out of the env files, which development shares', function () {
      const files = new Set(nodeServices.flatMap((s) => s.envFiles));
      assert.ok(files.size > 0);
      files.forEach((f) => {
        const keys = Object.keys(parseEnvFile(fs.readFileSync(path.join(ROOT, f), 'utf8')));
        assert.deepEqual(keys.filter((k) => SECRETS.includes(k) || /(^|_)PASSWORD$/.test(k)), [], f);
      });
    });

    it('gives both the chat servers and the dispatchers the same JWT secret and internal token', function () {
      SECRETS.forEach((name) => {
        const values = new Set(nodeServices.filter((s) => name in s.env).map((s) => s.env[name]));
        assert.equal(values.size, 1, `${name} differs between services`);
      });
    });
  });

  describe('docker-compose.dev.yml (development)', function () {
    const compose = loadCompose('docker-compose.dev.yml');

    it('runs every Node service with NODE_ENV=development and one shared JWT secret', function () {
      const nodeServices = [...compose.services.values()].filter((s) => s.workspace);
      nodeServices.forEach((s) => assert.equal(s.env.NODE_ENV, 'development', s.name));
      const secrets = new Set(nodeServices.filter((s) => 'JWT_SECRET' in s.env).map((s) => s.env.JWT_SECRET));
      assert.equal(secrets.size, 1);
    });
  });
});
