/**
 * Reads a compose file as `docker compose` would see its structure: YAML merge keys
 * (`<<: *anchor`) applied, `env_file` and `environment` combined per service, and
 * the workspace each Node service runs. No Docker engine runs here; the files are read.
 */
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';

export const ROOT = path.resolve(__dirname, '..', '..', '..');
export const COMPOSE_FILES = ['docker-compose.yml', 'docker-compose.dev.yml'] as const;
/** The repository's Node services: the folders a compose service can run. */
export const WORKSPACES = ['mongo-chat-server', 'server', 'dispatcher'] as const;

type Dict = Record<string, unknown>;

export interface ComposeService {
  name: string;
  raw: Dict;
  image?: string;
  build?: { context: string; dockerfile: string; args: Record<string, string> };
  /** env_file values overlaid with `environment` (environment wins, as in compose). */
  env: Record<string, string>;
  /** Just the `environment` entries (what the compose file itself writes). */
  environment: Record<string, string>;
  envFiles: string[];
  command: string[];
  ports: unknown[];
  networks: string[];
  /** Network name → aliases on it. */
  aliases: Record<string, string[]>;
  healthcheck?: string[];
  dependsOn: Record<string, string>;
  volumes: string[];
  /** The Node workspace it runs (build arg WORKSPACE, or `<ws>/src/index.ts` in its command). */
  workspace?: string;
}

export interface ComposeFile {
  file: string;
  raw: Dict;
  services: Map<string, ComposeService>;
  networks: Record<string, Dict>;
  volumes: string[];
}

const asDict = (value: unknown): Dict => (
  value && typeof value === 'object' && !Array.isArray(value) ? value as Dict : {}
);
const asStrings = (value: unknown): string[] => {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return value.map(String);
  return [String(value)];
};

/** `KEY=VALUE` lines; `#` starts a comment line. */
export function parseEnvFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  text.split(/\r?\n/).forEach((line) => {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const eq = trimmed.indexOf('=');
    if (eq <= 0) throw new Error(`not KEY=VALUE: "${trimmed}"`);
    out[trimmed.slice(0, eq).trim()] = trimmed.slice(eq + 1).trim();
  });
  return out;
}

function environmentOf(value: unknown): Record<string, string> {
  if (Array.isArray(value)) {
    return Object.fromEntries(value.map(String).map((entry) => {
      const eq = entry.indexOf('=');
      return eq < 0 ? [entry, ''] : [entry.slice(0, eq), entry.slice(eq + 1)];
    }));
  }
  return Object.fromEntries(Object.entries(asDict(value)).map(([k, v]) => [k, v === null ? '' : String(v)]));
}

function workspaceOf(build: ComposeService['build'], command: string[]): string | undefined {
  if (build?.args.WORKSPACE) return build.args.WORKSPACE;
  const entry = command.find((arg) => /^[\w-]+\/src\/index\.ts$/.test(arg));
  return entry?.split('/')[0];
}

function readService(name: string, raw: Dict): ComposeService {
  const buildRaw = raw.build;
  let build: ComposeService['build'];
  if (typeof buildRaw === 'string') build = { context: buildRaw, dockerfile: 'Dockerfile', args: {} };
  else if (buildRaw) {
    const b = asDict(buildRaw);
    build = {
      context: String(b.context ?? '.'),
      dockerfile: String(b.dockerfile ?? 'Dockerfile'),
      args: environmentOf(b.args),
    };
  }
  const envFiles = asStrings(raw.env_file);
  const fromFiles = Object.assign({}, ...envFiles.map((f) => parseEnvFile(fs.readFileSync(path.join(ROOT, f), 'utf8'))));
  const environment = environmentOf(raw.environment);
  const networksRaw = raw.networks;
  const networks = Array.isArray(networksRaw) ? networksRaw.map(String) : Object.keys(asDict(networksRaw));
  const aliases: Record<string, string[]> = {};
  if (!Array.isArray(networksRaw)) {
    Object.entries(asDict(networksRaw)).forEach(([net, conf]) => { aliases[net] = asStrings(asDict(conf).aliases); });
  }
  const dependsRaw = raw.depends_on;
  const dependsOn: Record<string, string> = Array.isArray(dependsRaw)
    ? Object.fromEntries(dependsRaw.map((d) => [String(d), 'service_started']))
    : Object.fromEntries(Object.entries(asDict(dependsRaw)).map(([k, v]) => [k, String(asDict(v).condition ?? 'service_started')]));
  const command = asStrings(raw.command);
  const healthRaw = asDict(raw.healthcheck);
  return {
    name,
    raw,
    image: typeof raw.image === 'string' ? raw.image : undefined,
    build,
    env: { ...fromFiles, ...environment },
    environment,
    envFiles,
    command,
    ports: Array.isArray(raw.ports) ? raw.ports : [],
    networks,
    aliases,
    healthcheck: healthRaw.test === undefined ? undefined : asStrings(healthRaw.test),
    dependsOn,
    volumes: asStrings(raw.volumes),
    workspace: workspaceOf(build, command),
  };
}

/** Compose's merge of an override onto a base: mappings merge key by key, anything else is replaced. */
function mergeOverride(base: unknown, override: unknown): unknown {
  if (!base || typeof base !== 'object' || Array.isArray(base)) return override;
  if (!override || typeof override !== 'object' || Array.isArray(override)) return override;
  const merged: Dict = { ...(base as Dict) };
  Object.entries(override as Dict).forEach(([key, value]) => { merged[key] = mergeOverride(merged[key], value); });
  return merged;
}

/** `docker compose -f a -f b`: the files read and merged in order (a file name alone reads one file). */
export function loadCompose(file: string, ...overrides: string[]): ComposeFile {
  const read = (name: string) => YAML.parse(fs.readFileSync(path.join(ROOT, name), 'utf8'), { merge: true }) as unknown;
  const raw = asDict(overrides.reduce((merged, name) => mergeOverride(merged, read(name)), read(file)));
  const services = new Map<string, ComposeService>();
  Object.entries(asDict(raw.services)).forEach(([name, def]) => services.set(name, readService(name, asDict(def))));
  const networks: Record<string, Dict> = {};
  Object.entries(asDict(raw.networks)).forEach(([name, def]) => { networks[name] = asDict(def); });
  return {
    file: [file, ...overrides].join(' + '), raw, services, networks, volumes: Object.keys(asDict(raw.volumes)),
  };
}

export const servicesOf = (compose: ComposeFile, workspace: string): ComposeService[] => (
  [...compose.services.values()].filter((s) => s.workspace === workspace)
);

/**
 * A value as compose interpolates it: `${X:-default}` → default, `${X}` → empty, and a
 * required `${X:?message}` → `X` (a stand-in for whatever the operator sets).
 */
export const interpolate = (value: string): string => value.replace(
  /\$\{(\w+)(?::?([-?])([^}]*))?\}/g,
  (_whole, name: string, kind: string | undefined, word: string | undefined) => {
    if (kind === '-') return word ?? '';
    return kind === '?' ? name : '';
  },
);

/** Host part of a URL-ish value such as `http://mongo-chat-server:3000` or `mongodb://u:${P:?}@mongo:27017/db`. */
export function hostOf(value: string): { host: string; port: string } {
  const match = /^[a-z+]+:\/\/(?:[^@/]*@)?([^:/?]+)(?::(\d+))?/i.exec(interpolate(value));
  if (!match) throw new Error(`not a URL: ${value}`);
  return { host: match[1] as string, port: match[2] ?? '' };
}

/** Names a service answers to on a network: its own name and its aliases there. */
export const namesOn = (service: ComposeService, network: string): string[] => (
  service.networks.includes(network) ? [service.name, ...(service.aliases[network] ?? [])] : []
);
