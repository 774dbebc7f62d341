/**
 * Generator: the project's resilient chat clients (test/support/chat-client.ts,
 * over the protocol client, socket.io-client, as an app would be written), for
 * the mass-reconnect scenario: they find their server through the dispatcher,
 * follow relocations, reconnect after a crash and resume every room in one request.
 */
import { fetchLocation } from '@chat/protocol-client';
import { ResilientClient } from '../../test/support/chat-client';
import type { Locator } from '../../test/support/chat-client';
import { ownCpuSeconds } from '../lib/cpu';
import { pool } from '../lib/pool';
import { serveCommands } from '../lib/processes';
import type {
  ReconnectClientSpec, ReconnectCommands, ReconnectState, ReconnectTarget,
} from './protocol';

const clients: { spec: ReconnectClientSpec; client: ResilientClient }[] = [];
const senders: { spec: ReconnectClientSpec; client: ResilientClient }[] = [];
let cpuSince = process.cpuUsage();
const presenceAtMark = new Map<ResilientClient, number>();
const reconnectsAtMark = new Map<ResilientClient, number>();

function locatorFor(target: ReconnectTarget): Locator {
  const { fixedUrl, dispatcherUrl } = target;
  if (fixedUrl) return { locate: async () => ({ url: fixedUrl, serverId: 'baseline' }) };
  if (!dispatcherUrl) throw new Error('no dispatcher and no fixed URL');
  return { locate: (token) => fetchLocation(dispatcherUrl, token) };
}

async function start(locator: Locator, spec: ReconnectClientSpec): Promise<ResilientClient> {
  const client = new ResilientClient(locator, spec.up, spec.token);
  await client.connect();
  for (const room of spec.rooms) await client.join(room);
  return client;
}

function state(expected: Record<string, number> = {}): ReconnectState {
  let connected = 0;
  let caughtUp = 0;
  let presenceEvents = 0;
  let maxPresenceEvents = 0;
  let reconnects = 0;
  let duplicates = 0;
  clients.forEach(({ spec, client }) => {
    // After a mark (the crash), a client counts as back only on a socket opened since then.
    const since = reconnectsAtMark.get(client);
    const on = client.socket?.connected === true && (since === undefined || client.reconnects > since);
    if (on) connected += 1;
    if (on && spec.rooms.every((room) => client.lastSeq(room) >= (expected[room] ?? 0))) caughtUp += 1;
    const presence = client.presenceEvents - (presenceAtMark.get(client) ?? 0);
    presenceEvents += presence;
    maxPresenceEvents = Math.max(maxPresenceEvents, presence);
    reconnects += client.reconnects - (reconnectsAtMark.get(client) ?? 0);
    duplicates += client.duplicates;
  });
  return {
    clients: clients.length,
    connected,
    caughtUp,
    presenceEvents,
    maxPresenceEvents,
    reconnects,
    duplicates,
    cpuSeconds: ownCpuSeconds(cpuSince),
  };
}

serveCommands<ReconnectCommands>({
  connect: async (args) => {
    const locator = locatorFor(args.target);
    await pool(args.clients, args.concurrency, async (spec) => {
      clients.push({ spec, client: await start(locator, spec) });
    });
    await pool(args.senders, args.concurrency, async (spec) => {
      senders.push({ spec, client: await start(locator, spec) });
    });
    return state();
  },
  mark: async () => {
    clients.forEach(({ client }) => {
      presenceAtMark.set(client, client.presenceEvents);
      reconnectsAtMark.set(client, client.reconnects);
    });
    cpuSince = process.cpuUsage();
    return state();
  },
  sendMissed: async ({ perRoom }) => {
    const expected: Record<string, number> = {};
    let failed = 0;
    const work = senders.flatMap(({ spec, client }) => spec.rooms.map((room) => ({ room, client })));
    await pool(work, 20, async ({ room, client }) => {
      for (let i = 0; i < perRoom; i += 1) {
        try {
          const ack = await client.send(room, `missed ${i} while a server restarted`);
          expected[room] = Math.max(expected[room] ?? 0, ack.seq);
        } catch {
          failed += 1;
        }
      }
    });
    return { expected, failed };
  },
  state: async ({ expected }) => state(expected),
  close: async () => {
    const last = state();
    clients.splice(0).forEach(({ client }) => client.close());
    senders.splice(0).forEach(({ client }) => client.close());
    return last;
  },
});
