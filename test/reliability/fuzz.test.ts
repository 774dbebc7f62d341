/**
 * Scenario 7: a fuzzer (fast-check) throws random and malformed socket events,
 * raw Engine.IO frames and REST requests at a chat server for a bounded time,
 * while well-behaved clients keep chatting. No process may die, nothing may be
 * logged as unhandled, the chat server must answer no 500, its memory must stay
 * bounded, and the well-behaved clients must lose nothing.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { io } from 'socket.io-client';
import type { Socket } from 'socket.io-client';
import WebSocket from 'ws';
import type { TestSystem } from '../support/system';
import {
  rawFrame, restInput, socketInput,
} from './support/fuzz-inputs';
import type { RawFrame, RestInput, SocketInput } from './support/fuzz-inputs';
import { rssMb } from './support/process-stats';
import { recordResult } from './support/results';
import {
  createAccounts, createGroupDirect, freshUps, startReliabilitySystem,
} from './support/setup';
import {
  Traffic, assertNoLossNoDuplicate, buildCohort, closeCohort, settle, verify,
} from './support/traffic';
import type { Cohort } from './support/traffic';
import { sleep } from './support/wait';

const FUZZ_MS = Number(process.env.RELIABILITY_FUZZ_MS ?? 15000);
const SOCKET_FUZZERS = 3;

/** What the fuzzers did and saw. */
class Tally {
  socketInputs = 0;

  frames = 0;

  restRequests = 0;

  readonly acks: Record<string, number> = {};

  readonly statuses: Record<string, number> = {};

  readonly serverErrors: string[] = [];

  socketDisconnects = 0;

  frameSocketsClosed = 0;

  ack(code: string): void { this.acks[code] = (this.acks[code] ?? 0) + 1; }

  status(status: string, request: string): void {
    this.statuses[status] = (this.statuses[status] ?? 0) + 1;
    const code = Number(status);
    if (code >= 500 && code !== 503 && this.serverErrors.length < 10) this.serverErrors.push(`${request} → ${status}`);
  }

  count(kind: 'socketInputs' | 'frames' | 'restRequests' | 'socketDisconnects' | 'frameSocketsClosed'): void {
    this[kind] += 1;
  }

  figures() {
    return {
      inputsTried: this.socketInputs + this.frames + this.restRequests,
      socketInputs: this.socketInputs,
      frames: this.frames,
      restRequests: this.restRequests,
      acks: this.acks,
      statuses: this.statuses,
      serverErrors: this.serverErrors,
      socketDisconnects: this.socketDisconnects,
      frameSocketsClosed: this.frameSocketsClosed,
    };
  }
}

const until = (deadline: number) => ({
  numRuns: 1000000,
  interruptAfterTimeLimit: Math.max(1, deadline - Date.now()),
  markInterruptAsFailure: false,
  endOnFailure: true,
});

function waitForConnect(socket: Socket, ms = 3000): Promise<boolean> {
  if (socket.connected) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    socket.once('connect', () => { clearTimeout(timer); resolve(true); });
    socket.once('connect_error', () => { clearTimeout(timer); resolve(false); });
    socket.connect();
  });
}

/** One socket.io client sending generated events as fast as their acks (or 300 ms) allow. */
async function fuzzSocket(url: string, token: string, room: string, up: string, deadline: number, tally: Tally) {
  const socket = io(url, {
    auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true, autoConnect: false,
  });
  socket.on('disconnect', () => tally.count('socketDisconnects'));
  try {
    await fc.assert(fc.asyncProperty(socketInput(room, up), async (input: SocketInput) => {
      if (!(await waitForConnect(socket))) return;
      tally.count('socketInputs');
      const answered = new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 300);
        const ack = (reply: unknown) => {
          clearTimeout(timer);
          const code = (reply as { ok?: boolean; error?: { code?: string } } | undefined);
          tally.ack(code?.ok ? 'ok' : String(code?.error?.code ?? 'malformed ack'));
          resolve();
        };
        socket.emit(input.event, ...input.args, ...(input.withAck ? [ack] : []));
        if (!input.withAck) { clearTimeout(timer); setTimeout(resolve, 5); }
      });
      await answered;
    }), until(deadline));
  } finally {
    socket.disconnect();
  }
}

/** Raw Engine.IO frames over a WebSocket, opened again whenever the server closes it. */
async function fuzzFrames(url: string, token: string, deadline: number, tally: Tally) {
  let ws: WebSocket | undefined;
  const open = () => new Promise<WebSocket | undefined>((resolve) => {
    const socket = new WebSocket(`${url.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`);
    const timer = setTimeout(() => { socket.terminate(); resolve(undefined); }, 3000);
    socket.once('open', () => {
      clearTimeout(timer);
      socket.send(`40${JSON.stringify({ token })}`);
      resolve(socket);
    });
    socket.once('error', () => { clearTimeout(timer); resolve(undefined); });
    socket.once('close', () => tally.count('frameSocketsClosed'));
    socket.on('message', () => undefined);
  });
  try {
    await fc.assert(fc.asyncProperty(rawFrame(), async (frame: RawFrame) => {
      if (!ws || ws.readyState !== WebSocket.OPEN) ws = await open();
      if (!ws) return;
      tally.count('frames');
      if ('text' in frame) ws.send(frame.text);
      else ws.send(frame.bytes, { binary: frame.binary });
      await sleep(2);
    }), until(deadline));
  } finally {
    ws?.terminate();
  }
}

/** Generated REST requests with a valid, a garbage or no token. */
async function fuzzRest(url: string, token: string, room: string, up: string, deadline: number, tally: Tally) {
  const auth = fc.constantFrom(`Bearer ${token}`, 'Bearer garbage', '', `Bearer ${token}x`, 'Basic Zm9vOmJhcg==');
  await fc.assert(fc.asyncProperty(restInput(room, up), auth, async (input: RestInput, authorization: string) => {
    tally.count('restRequests');
    const headers: Record<string, string> = {};
    if (authorization) headers.authorization = authorization;
    if (input.contentType) headers['content-type'] = input.contentType;
    const withBody = input.body !== undefined && input.method !== 'GET';
    try {
      const res = await fetch(`${url}${input.path}`, {
        method: input.method, headers, body: withBody ? input.body : undefined, signal: AbortSignal.timeout(10000),
      });
      await res.arrayBuffer();
      tally.status(String(res.status), `${input.method} ${input.path.slice(0, 80)}`);
    } catch (err) {
      tally.status(`failed: ${(err as Error).message}`, input.method);
    }
  }), until(deadline));
}

describe('reliability: fuzzing sockets, frames and REST', function () {
  this.timeout(240000);
  let system: TestSystem;
  let cohort: Cohort;

  before(async () => {
    // Rate limits off for this one (the abuse scenario tests them): every input should reach validation.
    system = await startReliabilitySystem({ chatServers: 1, label: 'fuzz', env: { SOCKET_MESSAGE_POINTS: '1000000' } });
    cohort = await buildCohort(system, 2, 3);
  });
  after(async () => {
    closeCohort(cohort);
    await system?.close();
  });

  it('stays up, answers no 500, keeps memory bounded, and well-behaved clients keep chatting', async () => {
    const chat = system.chatServers[0];
    assert.ok(chat);
    const pid = chat.child.pid as number;
    const fuzzers = await createAccounts(system, freshUps(SOCKET_FUZZERS + 2));
    const room = await createGroupDirect(system, 'fuzzed', fuzzers.map((a) => a.up));
    const rssBefore = rssMb(pid);
    const tally = new Tally();
    const traffic = new Traffic(cohort, 300);
    const deadline = Date.now() + FUZZ_MS;
    const [first, second] = fuzzers;
    assert.ok(first && second);
    await Promise.all([
      ...fuzzers.slice(0, SOCKET_FUZZERS).map((a) => fuzzSocket(chat.url, a.token, room, a.up, deadline, tally)),
      fuzzFrames(chat.url, first.token, deadline, tally),
      fuzzRest(chat.url, second.token, room, second.up, deadline, tally),
    ]);
    await traffic.stop();
    await sleep(1000);
    const rssAfter = rssMb(pid);
    const { settleMs, repaired } = await settle(cohort);
    const v = await verify(cohort, traffic);
    const processes = [system.data, ...system.dispatchers, ...system.chatServers];
    const dead = processes.filter((p) => !p || p.exited()).map((p) => p?.label);
    const logs = system.readLogs();
    const unhandled = logs.split('\n').filter((line) => /unhandled|uncaught/i.test(line));
    const internalErrors = logs.split('\n').filter((line) => /"code":"INTERNAL"|socket event failed/.test(line)).length;
    const me = await fetch(`${chat.url}/auth/me`, { headers: { authorization: `Bearer ${second.token}` } }).then((r) => r.text());
    recordResult('7 fuzzer', {
      fuzzMs: FUZZ_MS,
      ...tally.figures(),
      deadProcesses: dead,
      unhandledLogLines: unhandled.length,
      internalErrorLogLines: internalErrors,
      chatRssMb: { before: rssBefore, after: rssAfter },
      wellBehaved: {
        clients: cohort.clients.length, settleMs, repairedByFinalCatchUp: repaired, ...v,
      },
    });
    assert.deepEqual(dead, [], 'every process is alive');
    assert.deepEqual(unhandled.slice(0, 3), [], 'nothing unhandled in any log');
    assert.deepEqual(tally.serverErrors, [], 'the chat server answered no 5xx other than 503');
    assert.doesNotMatch(me, /polluted/, 'no prototype was polluted');
    assert.ok(rssAfter - rssBefore < 150, `chat server RSS grew from ${rssBefore} to ${rssAfter} MB`);
    assertNoLossNoDuplicate(v);
    assert.equal(v.gaveUp, 0, 'every well-behaved send was acknowledged');
  });
});
