/**
 * The frame cap and the text rule, directly: every valid request fits in a
 * frame at its worst escaping, and text is counted and checked one way.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import {
  LIMITS, clientEvents, codePointLength, sendMessageRequestSchema, socketFrameCap, text, worstCaseJsonBytes,
} from '../src';

/** A Socket.IO EVENT packet with the longest ack id, as the client writes it (engine.io message type `4` first). */
const packetBytes = (event: string, payload: unknown) => Buffer.byteLength(
  `42${Number.MAX_SAFE_INTEGER}${JSON.stringify([event, payload])}`,
);

describe('contract: the socket frame cap', () => {
  it('fits the largest valid chat message, every character a control character', () => {
    const control = (length: number) => '\u0001'.repeat(length);
    const largest = {
      message: control(LIMITS.messageLength),
      up: 'u'.repeat(LIMITS.up),
      room: 'a'.repeat(24),
      timestamp: control(64),
      clientId: control(LIMITS.clientId),
    };
    assert.ok(sendMessageRequestSchema.safeParse(largest).success, 'the payload is valid');
    const bytes = packetBytes('chat message', largest);
    assert.ok(bytes <= socketFrameCap(), `${bytes} > ${socketFrameCap()}`);
    const threeThousand = packetBytes('chat message', { ...largest, message: control(3000) });
    assert.ok(threeThousand > 16 * 1024, 'larger than the old 16 KB cap');
  });

  it('is the one the README states', () => {
    const readme = fs.readFileSync(path.resolve(__dirname, '..', '..', 'README.md'), 'utf8');
    assert.ok(readme.includes(`at most ${socketFrameCap().toLocaleString('en-US')} bytes`), 'README: the frame cap');
  });

  it('is bounded: every request schema has a worst case, and an unbounded field is refused', () => {
    Object.entries(clientEvents).forEach(([event, spec]) => {
      assert.ok(worstCaseJsonBytes(z.toJSONSchema(spec.request, { io: 'input' })) > 0, event);
    });
    const unbounded = z.toJSONSchema(z.object({ note: z.string() }));
    assert.throws(() => worstCaseJsonBytes(unbounded), /payload\.note: a string without maxLength/);
    assert.throws(() => worstCaseJsonBytes(z.toJSONSchema(z.object({ ids: z.array(z.number()) }))), /without maxItems/);
  });
});

describe('contract: text fields', () => {
  const short = text(3);

  it('counts code points, not UTF-16 units', () => {
    assert.equal(codePointLength('\u{1F600}\u{1F600}a'), 3);
    assert.ok(short.safeParse('\u{1F600}\u{1F600}\u{1F600}').success);
    assert.match(short.safeParse('abcd').error?.issues[0]?.message ?? '', /at most 3 characters/);
  });

  it('refuses a lone surrogate anywhere, and accepts a whole pair', () => {
    ['\uD800', 'a\uDFFF', '\uDE00\uD83D'].forEach((bad) => {
      assert.match(short.safeParse(bad).error?.issues[0]?.message ?? '', /lone surrogate/, JSON.stringify(bad));
    });
    assert.ok(short.safeParse('\uD83D\uDE00').success);
  });
});
