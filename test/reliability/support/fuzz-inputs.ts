/**
 * What the fuzzer throws at the system: fast-check arbitraries for socket
 * events, raw Engine.IO frames and REST requests, mixing random values with
 * hostile ones (prototype keys, Mongo operators, huge and deeply nested
 * values, binary, lone surrogates, invalid UTF-8).
 */
import fc from 'fast-check';

export const KNOWN_EVENTS = ['online', 'join room', 'leave room', 'chat message', 'typing', 'read'];

/** Events socket.io-client refuses to emit itself; sending them raw is the frame fuzzer's job. */
const RESERVED = new Set(['connect', 'connect_error', 'disconnect', 'disconnecting', 'newListener', 'removeListener']);

const hexId = fc.stringMatching(/^[0-9a-f]{24}$/);

const hostileKeys = fc.constantFrom('__proto__', 'constructor', 'prototype', '$where', '$gt', '$ne', '$regex', 'toString', 'valueOf');

/** Values that have hurt servers before. */
const hostileValue = (room: string, up: string): fc.Arbitrary<unknown> => fc.oneof(
  fc.constant(JSON.parse('{"__proto__": {"polluted": "yes"}, "up": "1"}') as unknown),
  fc.constant({ constructor: { prototype: { polluted: 'yes' } } }),
  fc.constant({ up: { $ne: null }, room: { $gt: '' }, message: { $where: 'sleep(1000)' } }),
  fc.constant({
    up, room: { $gt: '' }, message: 'x', clientId: { $ne: '' },
  }),
  fc.constant({
    up, room, message: '\uD800\uDFFF\uD800', clientId: '\uDC00',
  }),
  fc.constant({ up, room, since: -1 }),
  fc.constant({ up, room, since: Number.MAX_VALUE }),
  fc.constant({ up, room, seq: 1e308 }),
  fc.constant({
    up, room, message: 'x'.repeat(4001), clientId: 'c',
  }),
  fc.integer({ min: 1000, max: 20000 }).map((n) => ({
    up, room, message: 'y'.repeat(n), clientId: 'big',
  })),
  fc.integer({ min: 50, max: 800 }).map((depth) => {
    let nested: unknown = { up, room };
    for (let i = 0; i < depth; i += 1) nested = [nested];
    return nested;
  }),
  fc.uint8Array({ maxLength: 2048 }).map((bytes) => Buffer.from(bytes)),
  fc.dictionary(hostileKeys, fc.jsonValue({ maxDepth: 2 })),
);

/** A payload for a socket event: random, nearly valid, or hostile. */
export const socketPayload = (room: string, up: string): fc.Arbitrary<unknown> => fc.oneof(
  fc.anything({
    maxDepth: 3, withNullPrototype: true, withObjectString: true, withTypedArray: true, withSparseArray: true,
  }),
  fc.record({
    up: fc.oneof(fc.constant(up), fc.string()),
    room: fc.oneof(fc.constant(room), fc.string(), hexId),
    message: fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.integer()),
    clientId: fc.oneof(fc.uuid(), fc.string(), fc.constant('')),
    since: fc.oneof(fc.integer(), fc.double(), fc.string()),
    seq: fc.oneof(fc.integer(), fc.double()),
  }, { requiredKeys: [] }),
  hostileValue(room, up),
);

export interface SocketInput {
  event: string;
  args: unknown[];
  /** Whether an ack callback goes last. */
  withAck: boolean;
}

export const socketInput = (room: string, up: string): fc.Arbitrary<SocketInput> => fc.record({
  event: fc.oneof(
    fc.constantFrom(...KNOWN_EVENTS),
    fc.string({ maxLength: 40 }),
    fc.constantFrom('__proto__', 'constructor', 'hasOwnProperty', 'toString', 'error', 'message'),
  ).filter((e) => !RESERVED.has(e)),
  args: fc.array(socketPayload(room, up), { maxLength: 3 }),
  withAck: fc.boolean(),
});

/** A raw Engine.IO v4 frame over WebSocket: text (maybe broken Socket.IO packets) or binary, maybe invalid UTF-8. */
export type RawFrame = { text: string } | { bytes: Buffer; binary: boolean };

export const rawFrame = (): fc.Arbitrary<RawFrame> => fc.oneof(
  fc.string({ maxLength: 200 }).map((s) => ({ text: s })),
  fc.string({ maxLength: 200 }).map((s) => ({ text: `42${s}` })),
  fc.string({ maxLength: 200 }).map((s) => ({ text: `4${s}` })),
  fc.jsonValue({ maxDepth: 3 }).map((v) => ({ text: `42${JSON.stringify(['chat message', v])}` })),
  fc.constantFrom(
    '451-["chat message",{"_placeholder":true,"num":0}]',
    '452-["chat message",{"_placeholder":true,"num":7}]',
    '42["join room",{"__proto__":{"polluted":"yes"}}]',
    '4299999999999999999999["read",{}]',
    '43["x"]',
    '41',
    '2',
    '6',
    '1',
    '40/nope,',
    '42/other,["chat message",{}]',
    `42${'['.repeat(5000)}`,
  ).map((text) => ({ text })),
  fc.uint8Array({ maxLength: 512 }).map((b) => ({ bytes: Buffer.from(b), binary: true })),
  // Bytes that are not UTF-8, sent as a text frame.
  fc.uint8Array({ minLength: 1, maxLength: 64 }).map((b) => ({
    bytes: Buffer.concat([Buffer.from([0x34, 0x32, 0xff, 0xfe]), Buffer.from(b)]), binary: false,
  })),
);

export interface RestInput {
  method: string;
  path: string;
  body?: string | Buffer;
  contentType?: string;
}

const pathSegment = (room: string): fc.Arbitrary<string> => fc.oneof(
  fc.constant(room),
  hexId,
  fc.string({ maxLength: 30 }).map(encodeURIComponent),
  fc.constantFrom('%24gt', '%00', '..%2F..%2Fetc', '__proto__', 'constructor', '%ff%fe', 'x'.repeat(3000)),
);

const queryString = fc.oneof(
  fc.constant(''),
  fc.record({ page: fc.string(), perPage: fc.string() }).map((q) => `?page=${encodeURIComponent(q.page)}&perPage=${encodeURIComponent(q.perPage)}`),
  fc.constantFrom(
    '?page[$gt]=1',
    '?perPage=1e9',
    '?page=-1',
    '?before=1&after=2',
    '?limit=NaN',
    '?__proto__[polluted]=yes',
    '?page=0&page=1',
    `?ups=${'1,'.repeat(500)}`,
  ),
);

const restBody = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
  fc.anything({ maxDepth: 3 }).map((v) => {
    try { return JSON.stringify(v) ?? 'null'; } catch { return '{}'; }
  }),
  fc.constantFrom(
    '{"__proto__":{"polluted":"yes"},"name":"x","users":[]}',
    '{"constructor":{"prototype":{"polluted":"yes"}}}',
    '{"username":{"$ne":null},"password":{"$ne":null}}',
    '{"up":{"$gt":""},"password":"x"}',
    '{"name":{"$where":"1"},"users":{"$in":["1"]}}',
    '{"name": "x", "users": "not an array"}',
    '{bad json',
    '',
    'null',
    '[]',
    `${'['.repeat(20000)}${']'.repeat(20000)}`,
    `{"name":"${'x'.repeat(70000)}"}`,
  ),
  fc.uint8Array({ maxLength: 256 }).map((b) => Buffer.from(b)),
  fc.uint8Array({ minLength: 1, maxLength: 32 }).map((b) => Buffer.concat([Buffer.from('{"name":"'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from(b), Buffer.from('"}')])),
);

export const restInput = (room: string, up: string): fc.Arbitrary<RestInput> => fc.record({
  method: fc.constantFrom('GET', 'POST', 'PATCH', 'PUT', 'DELETE'),
  path: fc.oneof(
    fc.constantFrom('/auth/register', '/auth/login', '/auth/me', '/chat/groups', '/chat/message', '/chat/location'),
    pathSegment(room).map((g) => `/chat/groups/${g}`),
    pathSegment(room).map((g) => `/chat/groups/${g}/members`),
    fc.tuple(pathSegment(room), fc.oneof(fc.constant(up), fc.string({ maxLength: 20 }).map(encodeURIComponent)))
      .map(([g, u]) => `/chat/groups/${g}/members/${u}`),
    pathSegment(room).map((g) => `/chat/${g}/message`),
  ).chain((p) => queryString.map((q) => `${p}${q}`)),
  body: fc.option(restBody, { nil: undefined }),
  contentType: fc.option(fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=latin1', 'multipart/form-data; boundary=x'), { nil: undefined }),
});
