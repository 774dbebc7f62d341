/**
 * The Socket.IO frame cap (the chat server's `maxHttpBufferSize`), derived
 * from the requests themselves: the largest valid payload of any client →
 * server event, as JSON at its worst, plus the packet envelope. So every
 * valid request fits in a frame, and a request over a validation limit but
 * under the cap gets an error ack.
 *
 * Worst case per code point: a control character is escaped as `\u0001`
 * (6 bytes); nothing is longer (an astral character is 4 bytes of UTF-8, and
 * lone surrogates are refused). A request larger than the cap never reaches
 * the server: Socket.IO closes that transport (the client sees a disconnect
 * with reason "transport close", no ack) and the client reconnects.
 */
import { z } from 'zod';
import { clientEvents } from './client-events';

/** Bytes one code point can take inside a JSON string. */
export const WORST_BYTES_PER_CODE_POINT = 6;
/** The longest JSON number (`-1.7976931348623157e+308`). */
const WORST_NUMBER_BYTES = 24;
/**
 * `42` + an ack id (at most 16 digits) + `["<event>",` + payload + `]`, and the
 * engine.io framing around it; rounded up generously.
 */
const ENVELOPE_BYTES = 128;

type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  maxItems?: number;
  maxLength?: number;
  maximum?: number;
  minimum?: number;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  const?: unknown;
  enum?: unknown[];
};

const jsonString = (value: string) => JSON.stringify(value).length;

/** The most bytes a value valid under `schema` can take as JSON; throws on an unbounded schema. */
export function worstCaseJsonBytes(jsonSchema: object, where = 'payload'): number {
  const schema = jsonSchema as JsonSchema;
  const variants = schema.anyOf ?? schema.oneOf;
  if (variants) return Math.max(...variants.map((variant) => worstCaseJsonBytes(variant, where)));
  if (schema.const !== undefined) return JSON.stringify(schema.const).length;
  if (schema.enum) return Math.max(...schema.enum.map((value) => JSON.stringify(value).length));
  switch (schema.type) {
    case 'object': {
      const entries = Object.entries(schema.properties ?? {});
      // `{` + `"key":value` joined by `,` + `}`
      return 2 + Math.max(0, entries.length - 1) + entries.reduce(
        (sum, [key, value]) => sum + jsonString(key) + 1 + worstCaseJsonBytes(value, `${where}.${key}`),
        0,
      );
    }
    case 'string':
      if (schema.maxLength === undefined) throw new Error(`${where}: a string without maxLength has no worst case`);
      return 2 + WORST_BYTES_PER_CODE_POINT * schema.maxLength;
    case 'integer':
      return Math.max(
        String(schema.maximum ?? Number.MAX_SAFE_INTEGER).length,
        String(schema.minimum ?? Number.MIN_SAFE_INTEGER).length,
      );
    case 'number':
      return WORST_NUMBER_BYTES;
    case 'boolean':
      return 'false'.length;
    case 'null':
      return 'null'.length;
    case 'array':
      if (schema.maxItems === undefined || !schema.items) throw new Error(`${where}: an array without maxItems has no worst case`);
      return 2 + schema.maxItems * (worstCaseJsonBytes(schema.items, `${where}[]`) + 1);
    default:
      throw new Error(`${where}: no worst case for ${JSON.stringify(schema)}`);
  }
}

/** Each client → server event's largest valid packet, in bytes. */
export const largestPackets = (): Record<string, number> => Object.fromEntries(
  Object.entries(clientEvents).map(([event, spec]) => {
    const payload = z.toJSONSchema(spec.request, { io: 'input' });
    return [event, jsonString(event) + worstCaseJsonBytes(payload, event) + ENVELOPE_BYTES];
  }),
);

/** The frame cap: the largest valid packet of any event, rounded up to a whole KiB. */
export const socketFrameCap = (): number => {
  const largest = Math.max(...Object.values(largestPackets()));
  return Math.ceil(largest / 1024) * 1024;
};
