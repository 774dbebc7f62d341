import assert from 'node:assert/strict';
import { snippetParts } from '../src/logic/search-snippet';

describe('search snippet pieces', () => {
  it('cuts the text at the marked ranges, counted in code points', () => {
    assert.deepEqual(snippetParts({
      text: '🎉 Olá e ola', marks: [{ start: 2, end: 5 }, { start: 8, end: 11 }], clippedStart: false, clippedEnd: false,
    }), [
      { text: '🎉 ', marked: false },
      { text: 'Olá', marked: true },
      { text: ' e ', marked: false },
      { text: 'ola', marked: true },
    ]);
  });

  it('shows where the message goes on, and keeps markup as plain text', () => {
    assert.deepEqual(snippetParts({
      text: '<b>x</b>', marks: [{ start: 1, end: 2 }], clippedStart: true, clippedEnd: true,
    }), [
      { text: '…', marked: false },
      { text: '<', marked: false },
      { text: 'b', marked: true },
      { text: '>x</b>', marked: false },
      { text: '…', marked: false },
    ]);
  });

  it('survives ranges out of order, overlapping or past the end', () => {
    const parts = snippetParts({
      text: 'abcdef', marks: [{ start: 4, end: 9 }, { start: 0, end: 2 }, { start: 1, end: 3 }], clippedStart: false, clippedEnd: false,
    });
    assert.equal(parts.map((p) => p.text).join(''), 'abcdef');
    assert.deepEqual(parts.filter((p) => p.marked).map((p) => p.text), ['ab', 'c', 'ef']);
  });
});
