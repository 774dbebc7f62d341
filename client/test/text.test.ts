/** Text helpers: markup stays text, only http(s) links become links, user numbers parse. */
import assert from 'node:assert/strict';
import { newClientId } from '@chat/protocol-client';
import {
  formatTime, initials, listNames, parseUps, preview, splitLinks,
} from '../src/logic/text';

describe('client: text helpers', () => {
  it('keeps markup as plain text', () => {
    const text = '<img src=x onerror=alert(1)> <b>bold</b> & "quotes"';
    assert.deepEqual(splitLinks(text), [{ kind: 'text', text }]);
  });

  it('turns only http(s) URLs into links, without trailing punctuation', () => {
    const segments = splitLinks('see https://example.com/a?b=1, and (http://x.org/p). javascript:alert(1) ftp://f');
    assert.deepEqual(segments, [
      { kind: 'text', text: 'see ' },
      { kind: 'link', text: 'https://example.com/a?b=1', href: 'https://example.com/a?b=1' },
      { kind: 'text', text: ', and (' },
      { kind: 'link', text: 'http://x.org/p', href: 'http://x.org/p' },
      { kind: 'text', text: '). javascript:alert(1) ftp://f' },
    ]);
  });

  it('does not let a quote or angle bracket end up inside a link', () => {
    const segments = splitLinks('https://a.example/"onmouseover="x <https://b.example/>');
    const links = segments.filter((s) => s.kind === 'link').map((s) => s.text);
    assert.deepEqual(links, ['https://a.example/', 'https://b.example/']);
    assert.equal(segments.map((s) => s.text).join(''), 'https://a.example/"onmouseover="x <https://b.example/>');
  });

  it('parses comma- or space-separated user numbers, once each, and names the invalid ones', () => {
    assert.deepEqual(parseUps(' 1001, 1002 1001;1003 '), { ups: ['1001', '1002', '1003'], invalid: [] });
    assert.deepEqual(parseUps('1001, bad!, a b'), { ups: ['1001', 'a', 'b'], invalid: ['bad!'] });
    assert.deepEqual(parseUps(''), { ups: [], invalid: [] });
  });

  it('makes avatar initials, previews and name lists', () => {
    assert.equal(initials('ana maria silva'), 'AS');
    assert.equal(initials('Rui'), 'R');
    assert.equal(initials('  '), '?');
    assert.equal(preview('a\n\n  b', 10), 'a b');
    assert.equal(preview('x'.repeat(100), 10), `${'x'.repeat(9)}…`);
    assert.equal(listNames(['Ana']), 'Ana');
    assert.equal(listNames(['Ana', 'Rui']), 'Ana and Rui');
    assert.equal(listNames(['Ana', 'Rui', 'Eva']), 'Ana, Rui and Eva');
    assert.equal(listNames(['Ana', 'Rui', 'Eva', 'Leo']), 'Ana, Rui and 2 others');
  });

  it('formats times relative to now', () => {
    const now = new Date(2025, 4, 15, 18, 0);
    assert.match(formatTime(new Date(2025, 4, 15, 9, 5).toISOString(), { now, locale: 'en-GB' }), /^09:05$/);
    assert.match(formatTime(new Date(2025, 4, 13, 9, 5).toISOString(), { now, locale: 'en-GB' }), /^\w{3} 09:05$/);
    assert.match(formatTime(new Date(2025, 0, 2, 9, 5).toISOString(), { now, locale: 'en-GB' }), /^2 Jan 09:05$/);
    assert.match(formatTime(new Date(2023, 0, 2, 9, 5).toISOString(), { now, locale: 'en-GB' }), /^2 Jan 2023$/);
    assert.equal(formatTime('not a date', { now }), '');
  });

  it('makes version-4 UUID client ids, also where crypto.randomUUID is missing (plain http)', () => {
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    assert.match(newClientId(), uuid);
    const withoutRandomUuid = { getRandomValues: globalThis.crypto.getRandomValues.bind(globalThis.crypto) } as Crypto;
    const ids = new Set(Array.from({ length: 50 }, () => newClientId(withoutRandomUuid)));
    assert.equal(ids.size, 50);
    ids.forEach((id) => assert.match(id, uuid));
  });
});
