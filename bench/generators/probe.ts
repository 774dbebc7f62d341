/**
 * Generator: times single requests one at a time (no load, just latency):
 * HTTP GETs, a socket `join room` with `since`, or a direct database query.
 * Every answer is checked for the number of items expected, so an error page
 * answered fast can never pass for a fast history page.
 */
import mongoose from 'mongoose';
import { LiteClient } from '../lib/lite-client';
import { ownCpuSeconds } from '../lib/cpu';
import { serveCommands } from '../lib/processes';
import { Histogram } from '../lib/stats';
import type { ProbeCommands, ProbeResult, ProbeStep } from './protocol';

const itemsOf = (body: unknown): number => {
  const record = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const list = record.items ?? record.messages;
  return Array.isArray(list) ? list.length : -1;
};

async function timeHttp(step: ProbeStep): Promise<number> {
  const res = await fetch(step.url, { headers: step.headers });
  const body: unknown = await res.json();
  if (res.status !== 200) throw new Error(`${step.label}: status ${res.status} ${JSON.stringify(body).slice(0, 200)}`);
  return itemsOf(body);
}

async function probeOne(
  step: ProbeStep,
  run: () => Promise<number>,
  /** Runs before each timed call, outside its timing (e.g. opening a fresh socket). */
  prepare?: () => Promise<void>,
): Promise<ProbeResult> {
  const latency = new Histogram();
  const cpu = process.cpuUsage();
  const deadline = performance.now() + (step.maxMs ?? Number.POSITIVE_INFINITY);
  let items = 0;
  let errors = 0;
  let firstError: string | undefined;
  for (let i = 0; i < step.repeat && performance.now() < deadline; i += 1) {
    try {
      await prepare?.();
      const t0 = performance.now();
      items = await run();
      if (step.expectItems !== undefined && items !== step.expectItems) {
        throw new Error(`${step.label}: expected ${step.expectItems} items, got ${items}`);
      }
      latency.record(performance.now() - t0);
    } catch (err) {
      errors += 1;
      firstError ??= (err as Error).message;
    }
  }
  return {
    label: step.label, latency: latency.toData(), items, errors, firstError, cpuSeconds: ownCpuSeconds(cpu),
  };
}

/** Requests per socket: under the chat server's per-socket limit of 100 events per 5 s, which a probe must not trip. */
const JOINS_PER_SOCKET = 50;

async function probeJoin(step: ProbeStep): Promise<ProbeResult> {
  const open = async () => {
    const client = new LiteClient({
      url: step.url, wire: 'socketio', token: step.token, onMessage: () => {},
    });
    await client.connect();
    return client;
  };
  let client: LiteClient;
  try {
    client = await open();
  } catch (err) {
    return {
      label: step.label,
      latency: new Histogram().toData(),
      items: 0,
      errors: 1,
      firstError: (err as Error).message,
      cpuSeconds: 0,
    };
  }
  let used = 0;
  try {
    return await probeOne(step, async () => {
      used += 1;
      const reply = await client.request('join room', { up: step.up, room: step.room, since: step.since });
      if (!reply.ok) throw new Error(`${step.label}: join room answered ${reply.code ?? 'an error'}`);
      return itemsOf(reply.body);
    }, async () => {
      // Untimed: opening the next socket is not part of a history read.
      if (used < JOINS_PER_SOCKET) return;
      client.close();
      client = await open();
      used = 0;
    });
  } finally {
    client.close();
  }
}

async function probeMongo(step: ProbeStep): Promise<ProbeResult> {
  const query = step.mongo;
  if (!query) throw new Error(`${step.label}: no query`);
  const client = await new mongoose.mongo.MongoClient(query.url).connect();
  try {
    const collection = client.db().collection(query.collection);
    const filter = mongoose.mongo.BSON.EJSON.parse(query.filter) as Record<string, unknown>;
    return await probeOne(step, async () => {
      const docs = await collection.find(filter).sort(query.sort).skip(query.skip ?? 0).limit(query.limit)
        .toArray();
      return docs.length;
    });
  } finally {
    await client.close();
  }
}

async function probe(args: { steps: ProbeStep[] }): Promise<ProbeResult[]> {
  const results: ProbeResult[] = [];
  for (const step of args.steps) {
    if (step.kind === 'join') results.push(await probeJoin(step));
    else if (step.kind === 'mongo') results.push(await probeMongo(step));
    else results.push(await probeOne(step, () => timeHttp(step)));
  }
  return results;
}

serveCommands<ProbeCommands>({ probe });
