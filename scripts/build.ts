/**
 * Production build: bundles a service's `src/index.ts` into `<part>/dist/index.js`
 * with esbuild. npm packages stay external (the image installs them with
 * `npm ci --omit=dev -w <part>`); the workspace packages (`@chat/*`) are
 * TypeScript source with no build of their own, so they are inlined.
 *
 * The bundle sits two folders below the root, as `shared/src/http.ts` does, so
 * its `path.resolve(__dirname, '..', '..', 'swagger.yaml')` finds the root
 * swagger.yaml from the bundle too.
 *
 * Usage: tsx scripts/build.ts [part ...] [--out-root <dir>]   (default: every service, into the repo)
 */
import fs from 'node:fs';
import { isBuiltin } from 'node:module';
import path from 'node:path';
import { build } from 'esbuild';
import type { Plugin } from 'esbuild';

export const ROOT = path.resolve(__dirname, '..');
export const SERVICES = ['mongo-chat-server', 'server', 'dispatcher'] as const;
export type Service = typeof SERVICES[number];

const WORKSPACE_SCOPE = '@chat/';

export interface BuildResult {
  service: Service;
  outfile: string;
  /** npm packages the bundle requires at run time. */
  packages: string[];
  /** Workspace packages inlined into the bundle. */
  inlined: string[];
}

/** Where the bundle of `service` goes: `<outRoot>/<service>/dist/index.js`. */
export const bundlePath = (service: Service, outRoot = ROOT): string => path.join(outRoot, service, 'dist', 'index.js');

export const isService = (name: string): name is Service => (SERVICES as readonly string[]).includes(name);

/** `@scope/name/sub/path` → `@scope/name`; `name/sub` → `name`. */
export function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0] ?? specifier;
}

function productionDependencies(packageJsonPath: string): string[] {
  const manifest = JSON.parse(fs.readFileSync(packageJsonPath, 'utf8')) as { dependencies?: Record<string, string> };
  return Object.keys(manifest.dependencies ?? {});
}

/** Marks every bare import external except the workspace packages, and records both kinds. */
function externalsPlugin(packages: Set<string>, inlined: Set<string>): Plugin {
  return {
    name: 'npm-packages-external',
    setup(pluginBuild) {
      pluginBuild.onResolve({ filter: /^[^./]/ }, (args) => {
        if (isBuiltin(args.path)) return { path: args.path, external: true };
        const name = packageName(args.path);
        if (name.startsWith(WORKSPACE_SCOPE)) {
          inlined.add(name);
          return undefined;
        }
        packages.add(name);
        return { path: args.path, external: true };
      });
    },
  };
}

/**
 * The image installs only the production dependencies of the service and, through the
 * workspace links, of the workspaces it depends on: a bundle needing anything else
 * would build fine and crash at start, so the build refuses it.
 */
export function assertInstallable(service: Service, packages: string[], inlined: string[]): void {
  const declared = new Set(productionDependencies(path.join(ROOT, service, 'package.json')));
  const stray = inlined.filter((name) => !declared.has(name));
  if (stray.length > 0) {
    throw new Error(`${service}: the bundle inlines ${stray.join(', ')}, which ${service} does not list in `
      + 'dependencies (a devDependency is not installed in the image)');
  }
  inlined.forEach((name) => {
    productionDependencies(path.join(ROOT, 'node_modules', name, 'package.json')).forEach((d) => declared.add(d));
  });
  const missing = packages.filter((name) => !declared.has(name));
  if (missing.length > 0) {
    throw new Error(`${service}: the bundle requires ${missing.join(', ')}, which are not production `
      + `dependencies of ${service} or of ${inlined.join(', ') || 'its workspaces'}`);
  }
}

export async function buildService(service: Service, outRoot = ROOT): Promise<BuildResult> {
  const entry = path.join(ROOT, service, 'src', 'index.ts');
  if (!fs.existsSync(entry)) throw new Error(`${service}: no entry point at ${path.relative(ROOT, entry)}`);
  const outfile = bundlePath(service, outRoot);
  const packages = new Set<string>();
  const inlined = new Set<string>();
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    // Readable stack traces in error.log (the image runs node --enable-source-maps).
    sourcemap: true,
    keepNames: true,
    tsconfig: path.join(ROOT, 'tsconfig.json'),
    logLevel: 'warning',
    plugins: [externalsPlugin(packages, inlined)],
  });
  const result = {
    service, outfile, packages: [...packages].sort(), inlined: [...inlined].sort(),
  };
  assertInstallable(service, result.packages, result.inlined);
  return result;
}

interface CliArgs { services: Service[]; outRoot: string }

export function parseArgs(argv: string[]): CliArgs {
  const services: Service[] = [];
  let outRoot = ROOT;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] as string;
    if (arg === '--out-root') {
      const value = argv[i + 1];
      if (!value) throw new Error('--out-root needs a folder');
      outRoot = path.resolve(value);
      i += 1;
    } else if (isService(arg)) {
      services.push(arg);
    } else {
      throw new Error(`unknown service "${arg}" (expected one of ${SERVICES.join(', ')})`);
    }
  }
  return { services: services.length > 0 ? services : [...SERVICES], outRoot };
}

async function main(): Promise<void> {
  const { services, outRoot } = parseArgs(process.argv.slice(2));
  for (const service of services) {
    const result = await buildService(service, outRoot);
    process.stdout.write(`built ${path.relative(process.cwd(), result.outfile) || result.outfile}`
      + ` (external: ${result.packages.join(', ') || 'none'})\n`);
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`build failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
