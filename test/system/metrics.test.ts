/**
 * Every service exposes Prometheus metrics an operator can alert on, and they
 * move with the traffic: connections, messages in and out, ack latency, HTTP
 * latency by route, errors by code, the dispatcher's map version and load.
 */
import assert from 'node:assert/strict';
import { ResilientClient } from '../support/chat-client';
import { startSystem } from '../support/system';
import type { TestSystem } from '../support/system';

/** The value of one sample line, e.g. `errors_total{code="UNAUTHORIZED",service="x"}`. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  const total = text.split('\n')
    .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
    .filter((line) => Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`)))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
  return total;
}

describe('metrics on every service', function () {
  this.timeout(90000);
  let system: TestSystem;
  let client: ResilientClient | undefined;

  before(async () => {
    system = await startSystem({ chatServers: 1, label: 'metrics', env: { PASSWORD_HASH_MEMORY_KIB: '1024' } });
  });
  after(async () => {
    client?.close();
    await system?.close();
  });

  const scrape = async (url: string) => {
    const res = await fetch(`${url}/metrics`);
    assert.equal(res.status, 200);
    return res.text();
  };

  it('count connections, messages, ack latency, HTTP latency, errors by code, map version and load', async () => {
    const [alice] = await system.createAccounts(['5550001']);
    if (!alice) throw new Error('no account');
    const room = await system.createGroup(alice, 'metrics', [alice.up]);
    client = new ResilientClient(system, alice.up, alice.token);
    await client.connect();
    await client.join(room);
    await client.send(room, 'counted');
    const unauthorizedBefore = sample(await scrape(system.apiUrl), 'errors_total', { code: 'UNAUTHORIZED' });
    for (let i = 0; i < 3; i += 1) {
      await fetch(`${system.apiUrl}/chat/groups`, { headers: { authorization: 'Bearer not-a-token' } });
    }
    await new Promise((r) => { setTimeout(r, 1500); });

    const chat = await scrape(system.apiUrl);
    assert.equal(sample(chat, 'chat_socket_connections'), 1);
    assert.ok(sample(chat, 'chat_messages_received_total') >= 1);
    assert.ok(sample(chat, 'chat_messages_delivered_total') >= 1);
    assert.ok(sample(chat, 'chat_message_ack_seconds_count') >= 1);
    assert.ok(sample(chat, 'http_request_duration_seconds_count', { route: '/chat/groups' }) >= 1, 'HTTP latency by route');
    assert.equal(sample(chat, 'errors_total', { code: 'UNAUTHORIZED' }) - unauthorizedBefore, 3, 'errors by code, each once');

    const dispatcher = await scrape(system.dispatcherUrl);
    assert.ok(sample(dispatcher, 'dispatcher_map_version') >= 1, 'map version');
    assert.equal(sample(dispatcher, 'dispatcher_server_load', { server: system.chatServers[0]?.id ?? '' }), 1, 'per-server load');
    assert.ok(sample(dispatcher, 'dispatcher_server_capacity') >= 1);

    const data = await scrape(system.data?.url ?? '');
    assert.ok(sample(data, 'messages_stored_total') >= 1);
    assert.ok(sample(data, 'http_request_duration_seconds_count') >= 1);
  });
});
