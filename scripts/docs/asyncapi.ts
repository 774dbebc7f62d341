/**
 * Generates asyncapi.yaml (AsyncAPI 3.0) from the contract's socket schemas:
 * every client → server event with its request, its success ack and its error
 * ack, every server → client event, and the events between chat servers.
 * `npm run docs:asyncapi` writes the file; a test fails when it is stale.
 */
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { z } from 'zod';
import {
  ERROR_STATUS, LIMITS, SOCKET_LIMITS, clientEvents, interServerEvents, serverEvents, socketFrameCap,
  successAckSchema, errorAckSchema,
} from '@chat/contract';

export const ASYNCAPI_PATH = path.resolve(__dirname, '..', '..', 'asyncapi.yaml');

type Json = Record<string, unknown>;

/** `join room` → `joinRoom`: AsyncAPI ids allow no spaces. */
const idOf = (event: string) => event.replace(/ (\w)/g, (_m, letter: string) => letter.toUpperCase());

const jsonSchema = (schema: z.ZodType, io: 'input' | 'output'): Json => {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, target: 'draft-7' }) as Json;
  return rest;
};

const ref = (to: string) => ({ $ref: to });

const codes = (list: readonly string[]) => list.map((code) => `\`${code}\``).join(', ');

/** The document's introduction: what every event has in common. */
const overview = (): string => [
  "Socket.IO events of the group chat's chat servers, generated from the contract (@chat/contract).",
  '**Connecting.** Ask the dispatcher where to connect (`GET /chat/location` with `Authorization: Bearer <token>`), '
  + 'then open Socket.IO there with `auth: {token, mapVersion}` (WebSocket or long-polling; `mapVersion` is the one '
  + 'the dispatcher answered, so a server that has not heard of a move yet takes the user at once). A refused '
  + 'handshake is a `connect_error` whose `data.code` is `UNAUTHORIZED`, `VALIDATION_FAILED` (a bad `mapVersion`), '
  + '`RATE_LIMITED`, `UNAVAILABLE` or `WRONG_SERVER` (then `data.url` names a live server that serves the user). '
  + "The socket is already in the rooms of all the user's groups when it connects.",
  '**Acknowledgements.** Every client → server event takes an ack callback, answered once: `{ok: true, …result}` or '
  + '`{ok: false, error: {code, message}}`. A payload of the wrong shape, with a text over its limit or with a lone '
  + 'surrogate gets `VALIDATION_FAILED`, and so does an event not listed here ("unknown event …"). The socket stays '
  + 'open in every case. Without a callback the answer is silence.',
  "**Text.** Lengths are counted in Unicode code points (an emoji is one, as JSON Schema's `maxLength` counts): "
  + `a message is at most ${LIMITS.messageLength}, a \`clientId\` at most ${LIMITS.clientId}. Text holding a lone `
  + 'surrogate (half of a UTF-16 pair) is refused, since it could not be stored as sent.',
  `**Frame cap.** One Socket.IO packet is at most ${socketFrameCap()} bytes (the chat server's \`maxHttpBufferSize\`): `
  + 'the largest valid request of any event, every character at its worst JSON escaping (a control character is 6 '
  + 'bytes as `\\u0001`), plus the envelope. A request over a validation limit but under the cap gets an error ack. '
  + 'A packet over the cap is dropped by Socket.IO before any handler sees it: the transport closes (disconnect '
  + 'reason "transport close", no ack) and the client reconnects.',
  '**Rate limits** (the defaults; each can be configured on the chat server): '
  + `${SOCKET_LIMITS.messagesPerWindow} \`chat message\` per ${SOCKET_LIMITS.windowSeconds} s per socket and `
  + `${SOCKET_LIMITS.eventsPerWindow} events of any kind per ${SOCKET_LIMITS.windowSeconds} s per socket (both answer `
  + `\`RATE_LIMITED\` and keep the socket open); ${SOCKET_LIMITS.signInsPerMinute} sign-ins (\`POST /auth/register\`, `
  + '`POST /auth/login`) per minute per client address, counted across all chat servers; '
  + `${SOCKET_LIMITS.connectionsPerAddress} sockets per client address per chat server (the handshake is refused `
  + 'with `RATE_LIMITED`).',
  `**Error codes** (with the HTTP status each has on REST): ${
    Object.entries(ERROR_STATUS).map(([code, status]) => `\`${code}\` (${status})`).join(', ')}.`,
].join('\n\n');

export function asyncApiDocument(): Json {
  const messages: Json = {};
  const operations: Json = {};
  const socketChannel = '#/channels/socket';
  const message = (id: string, body: Json) => {
    messages[id] = body;
    return ref(`${socketChannel}/messages/${id}`);
  };

  Object.entries(clientEvents).forEach(([event, spec]) => {
    const id = idOf(event);
    const request = message(id, {
      name: event,
      title: `${event} (request)`,
      summary: spec.summary,
      payload: jsonSchema(spec.request, 'input'),
    });
    const ack = message(`${id}Ack`, {
      name: `${event} ack`,
      title: `${event} (acknowledgement)`,
      summary: `The ack of \`${event}\`: success, or an error ack with one of ${codes(spec.errors)}.`,
      payload: {
        oneOf: [
          jsonSchema(successAckSchema(spec.result), 'output'),
          jsonSchema(errorAckSchema(spec.errors), 'output'),
        ],
      },
    });
    operations[id] = {
      action: 'receive',
      channel: ref(socketChannel),
      title: event,
      summary: spec.summary,
      description: `${spec.description}${'ackOptional' in spec ? '' : ' The ack callback is expected.'}`,
      messages: [request],
      reply: { channel: ref(socketChannel), messages: [ack] },
    };
  });

  Object.entries(serverEvents).forEach(([event, spec]) => {
    const id = `${idOf(event)}Event`;
    operations[`emit${id[0]?.toUpperCase() ?? ''}${id.slice(1)}`] = {
      action: 'send',
      channel: ref(socketChannel),
      title: event,
      summary: spec.summary,
      messages: [message(id, {
        name: event, title: `${event} (server → client)`, summary: spec.summary, payload: jsonSchema(spec.payload, 'output'),
      })],
    };
  });

  const adapterMessages: Json = {};
  const adapterOperations: Json = {};
  Object.entries(interServerEvents).forEach(([event, spec]) => {
    const id = idOf(event);
    adapterMessages[id] = {
      name: event, title: event, summary: spec.summary, payload: jsonSchema(spec.payload, 'output'),
    };
    adapterOperations[id] = {
      action: 'send',
      channel: ref('#/channels/adapter'),
      title: event,
      summary: `${spec.summary}. Between chat servers only; no client sends or receives it.`,
      messages: [ref(`#/channels/adapter/messages/${id}`)],
    };
  });

  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Group chat: socket events',
      version: '0.1.0',
      description: overview(),
      license: { name: 'MIT' },
    },
    servers: {
      chat: {
        host: 'localhost:4001',
        protocol: 'ws',
        description: 'A chat server (Socket.IO, engine path `/socket.io/`). Under `npm start` they listen on 4001 and 4002; '
          + 'which one serves a user is answered by `GET /chat/location`.',
      },
    },
    defaultContentType: 'application/json',
    channels: {
      socket: {
        address: '/',
        title: 'The Socket.IO default namespace',
        description: 'Every event of a client and its chat server travels here.',
        servers: [ref('#/servers/chat')],
        messages,
      },
      adapter: {
        address: null,
        title: 'Between chat servers',
        description: 'Events one chat server sends the others through the Redis adapter (`serverSideEmit`).',
        messages: adapterMessages,
      },
    },
    operations: { ...operations, ...adapterOperations },
  };
}

export const renderAsyncApi = (): string => `# Generated by \`npm run docs:asyncapi\` from the contract (@chat/contract); do not edit.\n${
  YAML.stringify(asyncApiDocument(), { lineWidth: 0, aliasDuplicateObjects: false })}`;

if (require.main === module) {
  fs.writeFileSync(ASYNCAPI_PATH, renderAsyncApi());
  process.stdout.write(`wrote ${path.relative(process.cwd(), ASYNCAPI_PATH)}\n`);
}
