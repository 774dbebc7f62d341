/**
 * The images compose builds: multi-stage, running as a non-root user, with a
 * HEALTHCHECK and production dependencies only; the Node image starts the bundle that
 * scripts/build.ts writes and holds swagger.yaml where shared/src/http.ts looks for it
 * from that bundle; everything they copy from the context exists and is not ignored.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { bundlePath } from '../../scripts/build';
import type { Service } from '../../scripts/build';
import type { ComposeService } from './support/compose';
import { ROOT, loadCompose } from './support/compose';
import type { Stage } from './support/dockerfile';
import {
  copyOf, dockerIgnored, dockerignoreRules, execArgs, runtimeEnv, stagesOf,
} from './support/dockerfile';

const built = [...loadCompose('docker-compose.yml').services.values()].filter((s) => s.build);
const variants = new Map<string, ComposeService>();
built.forEach((s) => variants.set(JSON.stringify(s.build), s));

/** How many `..` shared/src/http.ts climbs from its own folder to swagger.yaml. */
function swaggerLevelsUp(): number {
  const source = fs.readFileSync(path.join(ROOT, 'shared', 'src', 'http.ts'), 'utf8');
  const match = /SWAGGER_PATH\s*=\s*path\.resolve\(__dirname((?:,\s*'\.\.')*),\s*'swagger\.yaml'\)/.exec(source);
  assert.ok(match, 'shared/src/http.ts no longer resolves swagger.yaml from __dirname');
  return (match[1]?.match(/'\.\.'/g) ?? []).length;
}

const last = (stages: Stage[]) => stages[stages.length - 1] as Stage;
/** Node 24, the active LTS; Node 20 reached end of life on 2026-04-30. */
const SUPPORTED_NODE_IMAGE = /^node:24[.-]/;
const instructions = (stage: Stage, keyword: string) => stage.instructions.filter((i) => i.keyword === keyword);

describe('operations: Dockerfiles', function () {
  it('parses .dockerignore rules like Docker: root-relative names, ** prefixes, exceptions', function () {
    const rules = ['.git', '**/node_modules', '**/*.log', 'logs', '!logs/README.md'];
    assert.ok(dockerIgnored('server/node_modules/x/index.js', rules));
    assert.ok(dockerIgnored('node_modules', rules));
    assert.ok(dockerIgnored('a/b/c.log', rules));
    assert.ok(dockerIgnored('.git/HEAD', rules));
    assert.ok(!dockerIgnored('logs/README.md', rules));
    assert.ok(!dockerIgnored('server/src/index.ts', rules));
    assert.ok(!dockerIgnored('.gitignore', rules));
  });

  it('keeps installed modules, build output, logs, data and .env out of the build context', function () {
    const rules = dockerignoreRules();
    ['node_modules/x', 'server/node_modules/x', 'server/dist/index.js', 'logs/chat-1/error.log', '.data/mongo/x', '.env', '.git/HEAD']
      .forEach((p) => assert.ok(dockerIgnored(p, rules), `${p} is sent to the build`));
    ['package.json', 'package-lock.json', 'swagger.yaml', 'tsconfig.json', 'scripts/build.ts', 'shared/src/index.ts',
      'deploy/nginx/chat.conf', 'deploy/healthcheck.js', 'client/index.html', 'client/vite.config.ts']
      .forEach((p) => assert.ok(!dockerIgnored(p, rules), `${p} is left out of the build`));
  });

  variants.forEach((service) => {
    const build = service.build as NonNullable<ComposeService['build']>;
    const file = path.join(build.context, build.dockerfile);
    const label = `${file}${build.args.WORKSPACE ? ` (WORKSPACE=${build.args.WORKSPACE})` : ''}`;

    describe(label, function () {
      const stages = stagesOf(file, build.args);
      const runtime = last(stages);

      it('is multi-stage and runs as a non-root user with a HEALTHCHECK', function () {
        assert.ok(stages.length >= 2, 'single stage');
        const users = instructions(runtime, 'USER');
        assert.ok(users.length > 0, 'final stage sets no USER');
        assert.ok(!['root', '0'].includes((users[users.length - 1]?.args ?? '').split(':')[0] as string), 'runs as root');
        assert.equal(instructions(runtime, 'HEALTHCHECK').length, 1);
      });

      it('builds and runs on Node 24, installing with npm 10', function () {
        const nodeStages = stages.filter((stage) => stage.from.startsWith('node:'));
        assert.ok(nodeStages.length > 0, 'no Node stage');
        nodeStages.forEach((stage) => assert.match(stage.from, SUPPORTED_NODE_IMAGE));
        stages.forEach((stage) => {
          const runs = instructions(stage, 'RUN').map((r) => r.args);
          const firstCi = runs.findIndex((r) => /npm ci/.test(r));
          if (firstCi < 0) return;
          const npm10 = runs.findIndex((r) => /npm install -g "?npm@10\./.test(r));
          assert.ok(npm10 >= 0 && npm10 < firstCi, `stage ${stage.name ?? stage.from} runs npm ci without npm 10 first`);
        });
      });

      it('copies only what exists in the context and is not ignored', function () {
        const rules = dockerignoreRules();
        stages.flatMap((s) => instructions(s, 'COPY')).map(copyOf).filter((c) => !c.from).forEach((c) => {
          c.sources.filter((src) => src !== '.').forEach((src) => {
            assert.ok(fs.existsSync(path.join(ROOT, build.context, src)), `COPY ${src}: no such file`);
            assert.ok(!dockerIgnored(src, rules), `COPY ${src}: excluded by .dockerignore`);
          });
        });
      });

      if (build.args.WORKSPACE) {
        const workspace = build.args.WORKSPACE as Service;

        it('installs production dependencies only, for this workspace', function () {
          const runs = stages.flatMap((s) => instructions(s, 'RUN')).map((r) => r.args);
          assert.ok(runs.some((r) => /npm ci --omit=dev --workspace "?\S*"?/.test(r)), 'no npm ci --omit=dev --workspace');
          const modules = instructions(runtime, 'COPY').map(copyOf).filter((c) => c.sources.some((s) => s.endsWith('/node_modules')));
          assert.ok(modules.length > 0 && modules.every((c) => c.from === stages[0]?.name), 'node_modules not from the pruned stage');
          const pruneIndex = stages[0]?.instructions.findIndex((i) => /npm ci --omit=dev/.test(i.args)) ?? -1;
          const buildIndex = stages[0]?.instructions.findIndex((i) => /scripts\/build\.ts/.test(i.args)) ?? -1;
          assert.ok(buildIndex >= 0 && pruneIndex > buildIndex, 'dev dependencies are pruned before the bundle is built');
        });

        it('starts the bundle scripts/build.ts writes, with swagger.yaml where shared/src/http.ts finds it', function () {
          const { workdir, env } = runtimeEnv(runtime);
          const cmd = execArgs(instructions(runtime, 'CMD')[0]?.args ?? '').join(' ');
          const entry = cmd.includes('$SERVICE_ENTRY') ? env.SERVICE_ENTRY : cmd.split(/\s+/).find((a) => a.endsWith('.js'));
          // The image holds the repository layout at WORKDIR, as `COPY . .` laid it for the build.
          const expected = path.posix.join(workdir, path.relative(ROOT, bundlePath(workspace)).split(path.sep).join('/'));
          assert.equal(entry, expected);
          const copies = instructions(runtime, 'COPY').map(copyOf);
          const bundleDir = path.posix.dirname(expected);
          assert.ok(copies.some((c) => path.posix.resolve(workdir, c.dest) === bundleDir), `${bundleDir} is not copied`);
          const swagger = path.posix.resolve(bundleDir, ...Array(swaggerLevelsUp()).fill('..'), 'swagger.yaml');
          assert.ok(copies.some((c) => c.sources.some((s) => s.endsWith('swagger.yaml'))
            && path.posix.resolve(workdir, c.dest) === swagger), `swagger.yaml is not copied to ${swagger}`);
        });

        it('sets the port the healthcheck probes to the port compose gives the service', function () {
          assert.equal(runtimeEnv(runtime).env.PORT, service.env.PORT);
          assert.match(instructions(runtime, 'HEALTHCHECK')[0]?.args ?? '', /healthcheck\.js/);
        });
      }
    });
  });

  describe('Node version', function () {
    it('runs the development containers on Node 24 too', function () {
      const images = [...loadCompose('docker-compose.dev.yml').services.values()]
        .map((s) => s.image).filter((image): image is string => Boolean(image?.startsWith('node:')));
      assert.ok(images.length > 0);
      images.forEach((image) => assert.match(image, SUPPORTED_NODE_IMAGE));
    });

    it('still lets the project run on Node 20 outside the images (package.json engines)', function () {
      const { engines } = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } };
      const minimum = Number(/^>=\s*(\d+)/.exec(engines.node)?.[1]);
      assert.ok(minimum <= 20 && !engines.node.includes('<'), `engines.node is ${engines.node}`);
    });
  });
});
