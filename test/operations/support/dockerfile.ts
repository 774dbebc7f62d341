/**
 * A Dockerfile read into stages of instructions, with build arguments substituted,
 * and the .dockerignore rules, enough to check what an image will contain.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from './compose';

export interface Instruction { keyword: string; args: string }
export interface Stage { from: string; name?: string; instructions: Instruction[] }

/** Splits into instructions: `\` continues a line, `#` lines are comments. */
export function parseDockerfile(text: string): Instruction[] {
  const out: Instruction[] = [];
  let pending = '';
  text.split(/\r?\n/).forEach((line) => {
    const trimmed = line.trim();
    if (pending === '' && (trimmed === '' || trimmed.startsWith('#'))) return;
    if (pending !== '' && trimmed.startsWith('#')) return;
    if (trimmed.endsWith('\\')) {
      pending += `${trimmed.slice(0, -1)} `;
      return;
    }
    const full = pending + trimmed;
    pending = '';
    const space = full.search(/\s/);
    out.push({ keyword: full.slice(0, space).toUpperCase(), args: full.slice(space + 1).trim() });
  });
  return out;
}

/** `${NAME}` / `$NAME` → value, for the names given (others stay as written). */
export function substitute(text: string, values: Record<string, string>): string {
  return text.replace(/\$\{(\w+)\}|\$(\w+)/g, (whole, braced: string | undefined, bare: string | undefined) => {
    const name = (braced ?? bare) as string;
    return values[name] ?? whole;
  });
}

/** Stages in order; `args` are the build arguments (and ARG defaults fill the rest). */
export function stagesOf(file: string, args: Record<string, string>): Stage[] {
  const instructions = parseDockerfile(fs.readFileSync(path.join(ROOT, file), 'utf8'));
  const globalArgs: Record<string, string> = {};
  const stages: Stage[] = [];
  instructions.forEach((ins) => {
    if (ins.keyword === 'ARG' && stages.length === 0) {
      const [name, value] = ins.args.split('=');
      if (name && value !== undefined) globalArgs[name] = value;
      return;
    }
    if (ins.keyword === 'FROM') {
      const [image, as, name] = substitute(ins.args, { ...globalArgs, ...args }).split(/\s+/);
      stages.push({ from: image as string, name: as?.toUpperCase() === 'AS' ? name : undefined, instructions: [] });
      return;
    }
    const stage = stages[stages.length - 1];
    if (!stage) throw new Error(`${file}: ${ins.keyword} before FROM`);
    stage.instructions.push({ keyword: ins.keyword, args: substitute(ins.args, { ...globalArgs, ...args }) });
  });
  return stages;
}

/** A JSON-array (exec form) argument list, or the shell form as one string. */
export function execArgs(args: string): string[] {
  const text = args.trim();
  if (text.startsWith('[')) return JSON.parse(text) as string[];
  return [text];
}

export interface Copy { from?: string; sources: string[]; dest: string }

export function copyOf(ins: Instruction): Copy {
  const parts = ins.args.split(/\s+/);
  const flags = parts.filter((p) => p.startsWith('--'));
  const paths = parts.filter((p) => !p.startsWith('--'));
  const from = flags.find((f) => f.startsWith('--from='))?.slice('--from='.length);
  return { from, sources: paths.slice(0, -1), dest: paths[paths.length - 1] as string };
}

/** The final stage's WORKDIR and ENV, as the container starts with them. */
export function runtimeEnv(stage: Stage): { workdir: string; env: Record<string, string> } {
  let workdir = '/';
  const env: Record<string, string> = {};
  stage.instructions.forEach((ins) => {
    if (ins.keyword === 'WORKDIR') workdir = path.posix.resolve(workdir, ins.args);
    if (ins.keyword === 'ENV') {
      [...ins.args.matchAll(/(\w+)=("[^"]*"|\S+)/g)].forEach(([, k, v]) => {
        env[k as string] = (v as string).replace(/^"|"$/g, '');
      });
    }
  });
  return { workdir, env };
}

/**
 * Whether .dockerignore keeps `relPath` out of the build context. Supports the forms the
 * file uses: `name` and `dir/name` (from the context root), `**` prefixes, `*` in a
 * segment, and `!` exceptions; a match on a folder excludes everything inside it.
 */
export function dockerIgnored(relPath: string, rules: string[]): boolean {
  const toRegex = (pattern: string) => new RegExp(`^${pattern.split('/').map((seg) => {
    if (seg === '**') return '(?:.*)';
    return seg.replace(/[.+^$()|[\]{}]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]');
  }).join('/').replace(/\(\?:\.\*\)\//g, '(?:.*/)?')}(?:/.*)?$`);
  let ignored = false;
  rules.forEach((rule) => {
    const negate = rule.startsWith('!');
    const pattern = (negate ? rule.slice(1) : rule).replace(/^\/+|\/+$/g, '');
    if (toRegex(pattern).test(relPath)) ignored = !negate;
  });
  return ignored;
}

export const dockerignoreRules = (): string[] => fs.readFileSync(path.join(ROOT, '.dockerignore'), 'utf8')
  .split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
