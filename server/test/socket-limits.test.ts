/**
 * The limits the contract documents (and asyncapi.yaml and the README repeat)
 * are the chat server's defaults.
 */
import assert from 'node:assert/strict';
import { SOCKET_LIMITS } from '@chat/contract';
import { readConfig } from '../src/config';
import { createSocketLimiters, createUserLimiters } from '../src/rate-limits';

describe('chat server: documented socket limits are the defaults', () => {
  const config = readConfig({});

  it('reads the documented defaults', () => {
    assert.deepEqual({
      messagesPerWindow: config.socketMessagePoints,
      windowSeconds: config.socketMessageWindowS,
      signInsPerMinute: config.authRatePoints * (60 / config.authRateWindowS),
      connectionsPerAddress: config.maxConnectionsPerIp,
      catchUpDefault: config.catchUpLimit,
    }, {
      messagesPerWindow: SOCKET_LIMITS.messagesPerWindow,
      windowSeconds: SOCKET_LIMITS.windowSeconds,
      signInsPerMinute: SOCKET_LIMITS.signInsPerMinute,
      connectionsPerAddress: SOCKET_LIMITS.connectionsPerAddress,
      catchUpDefault: SOCKET_LIMITS.catchUpDefault,
    });
  });

  it('lets a socket send the documented number of events, and a user of messages, per window, and no more', async () => {
    const { events } = createSocketLimiters(config);
    const { messages } = createUserLimiters(config);
    const take = async (limiter: typeof events, times: number) => {
      for (let i = 0; i < times; i += 1) await limiter.consume('socket-1');
    };
    await take(events, SOCKET_LIMITS.eventsPerWindow);
    await assert.rejects(events.consume('socket-1'), { code: 'RATE_LIMITED' });
    await take(messages, SOCKET_LIMITS.messagesPerWindow);
    await assert.rejects(messages.consume('socket-1'), { code: 'RATE_LIMITED' });
  });
});
