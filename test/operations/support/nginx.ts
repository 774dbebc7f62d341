/**
 * deploy/nginx/chat.conf read into directives, and a router that picks the location for a
 * request URI the way nginx does (exact `=`, then the longest prefix unless a regex
 * matches first in file order) and says where the request goes: which upstream and
 * which servers, with the path the backend receives, or a static file, or a fixed answer.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from './compose';

export interface Directive { name: string; args: string[]; block?: Directive[] }

function tokenize(text: string): string[] {
  const tokens: string[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (/\s/.test(c)) { i += 1; continue; }
    if (c === '#') {
      while (i < text.length && text[i] !== '\n') i += 1;
      continue;
    }
    if (c === '{' || c === '}' || c === ';') { tokens.push(c); i += 1; continue; }
    if (c === '"' || c === "'") {
      let j = i + 1;
      let value = '';
      while (j < text.length && text[j] !== c) {
        if (text[j] === '\\' && j + 1 < text.length) { value += text[j + 1] === 'n' ? '\n' : text[j + 1]; j += 2; continue; }
        value += text[j];
        j += 1;
      }
      tokens.push(value);
      i = j + 1;
      continue;
    }
    let j = i;
    while (j < text.length && !/[\s;{}]/.test(text[j] as string)) j += 1;
    tokens.push(text.slice(i, j));
    i = j;
  }
  return tokens;
}

export function parseNginx(text: string): Directive[] {
  const tokens = tokenize(text);
  let pos = 0;
  const block = (): Directive[] => {
    const out: Directive[] = [];
    while (pos < tokens.length && tokens[pos] !== '}') {
      const name = tokens[pos] as string;
      pos += 1;
      const args: string[] = [];
      while (pos < tokens.length && tokens[pos] !== ';' && tokens[pos] !== '{') {
        args.push(tokens[pos] as string);
        pos += 1;
      }
      if (tokens[pos] === '{') {
        pos += 1;
        const inner = block();
        if (tokens[pos] !== '}') throw new Error(`unclosed block after ${name}`);
        pos += 1;
        out.push({ name, args, block: inner });
      } else {
        if (tokens[pos] !== ';') throw new Error(`missing ; after ${name} ${args.join(' ')}`);
        pos += 1;
        out.push({ name, args });
      }
    }
    return out;
  };
  const top = block();
  if (pos !== tokens.length) throw new Error('unbalanced }');
  return top;
}

export const CHAT_CONF = path.join('deploy', 'nginx', 'chat.conf');
export const loadNginx = (): Directive[] => parseNginx(fs.readFileSync(path.join(ROOT, CHAT_CONF), 'utf8'));

export const find = (list: Directive[], name: string): Directive[] => list.filter((d) => d.name === name);

export interface Upstream { name: string; servers: string[]; options: string[][] }

export function upstreams(conf: Directive[]): Map<string, Upstream> {
  const out = new Map<string, Upstream>();
  find(conf, 'upstream').forEach((u) => {
    const servers = find(u.block ?? [], 'server');
    out.set(u.args[0] as string, {
      name: u.args[0] as string,
      servers: servers.map((s) => s.args[0] as string),
      options: servers.map((s) => s.args.slice(1)),
    });
  });
  return out;
}

interface MapRule { source: string; target: string; entries: Array<[string, string]> }

function maps(conf: Directive[]): MapRule[] {
  return find(conf, 'map').map((m) => ({
    source: m.args[0] as string,
    target: m.args[1] as string,
    entries: (m.block ?? []).map((d) => [d.name, d.args[0] ?? ''] as [string, string]),
  }));
}

export type Route =
  | { kind: 'proxy'; location: Directive; upstream: string; servers: string[]; path: string }
  | { kind: 'static'; location: Directive; root: string }
  | { kind: 'return'; location: Directive; status: number; body: string }
  | { kind: 'none' };

const pcre = (pattern: string, flags = '') => new RegExp(pattern, flags);

/** Where nginx sends `requestUri` (path and query, as the client wrote it). */
export function route(conf: Directive[], requestUri: string): Route {
  const server = find(conf, 'server')[0];
  if (!server?.block) return { kind: 'none' };
  const uri = decodeURIComponent(requestUri.split('?')[0] as string);
  const locations = find(server.block, 'location');
  const vars: Record<string, string> = { request_uri: requestUri, uri };

  let chosen = locations.find((l) => l.args[0] === '=' && l.args[1] === uri);
  if (!chosen) {
    const prefixes = locations
      .filter((l) => l.args.length === 1 || l.args[0] === '^~')
      .map((l) => ({ l, prefix: (l.args.length === 1 ? l.args[0] : l.args[1]) as string }))
      .filter(({ prefix }) => uri.startsWith(prefix))
      .sort((a, b) => b.prefix.length - a.prefix.length)[0];
    if (prefixes && prefixes.l.args[0] === '^~') chosen = prefixes.l;
    else {
      chosen = locations.find((l) => {
        if (l.args[0] !== '~' && l.args[0] !== '~*') return false;
        const m = pcre(l.args[1] as string, l.args[0] === '~*' ? 'i' : '').exec(uri);
        if (m?.groups) Object.assign(vars, m.groups);
        return m !== null;
      }) ?? prefixes?.l;
    }
  }
  if (!chosen?.block) return { kind: 'none' };

  maps(conf).forEach((m) => {
    const input = vars[m.source.slice(1)] ?? '';
    const hit = m.entries.find(([key]) => key.startsWith('~') && pcre(key.slice(1)).test(input));
    if (hit) {
      const groups = pcre(hit[0].slice(1)).exec(input)?.groups ?? {};
      vars[m.target.slice(1)] = hit[1].replace(/\$(\w+)/g, (_w, n: string) => groups[n] ?? '');
    } else {
      vars[m.target.slice(1)] = m.entries.find(([key]) => key === 'default')?.[1] ?? '';
    }
  });
  const expand = (text: string) => text.replace(/\$(\w+)/g, (_w, n: string) => vars[n] ?? '');

  const ret = find(chosen.block, 'return')[0];
  if (ret) {
    return {
      kind: 'return', location: chosen, status: Number(ret.args[0]), body: ret.args[1] ?? '',
    };
  }
  const proxy = find(chosen.block, 'proxy_pass')[0];
  if (proxy) {
    const target = /^https?:\/\/([^/]+)(\/.*)?$/.exec(expand(proxy.args[0] as string));
    if (!target) throw new Error(`proxy_pass ${proxy.args[0]} is not a URL`);
    const upstream = target[1] as string;
    const known = upstreams(conf).get(upstream);
    return {
      kind: 'proxy',
      location: chosen,
      upstream,
      servers: known ? known.servers : [upstream],
      // Without a URI part nginx passes the request URI unchanged.
      path: target[2] ?? requestUri,
    };
  }
  const root = find(chosen.block, 'root')[0];
  if (root) return { kind: 'static', location: chosen, root: root.args[0] as string };
  return { kind: 'none' };
}
