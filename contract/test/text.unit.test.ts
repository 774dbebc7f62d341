/** Text is measured in code points, the way JSON Schema's maxLength and a person count it. */
import assert from 'node:assert/strict';
import { codePointLength, groupNameField, withinLength } from '../src';

describe('contract: text lengths', () => {
  it('counts an emoji or any astral character once, a lone surrogate once', () => {
    assert.equal(codePointLength('😀'.repeat(60)), 60);
    assert.equal(codePointLength('a😀b'), 3);
    assert.equal(codePointLength('\uD800x'), 2);
    assert.equal(codePointLength(''), 0);
  });

  it('bounds by code points, not UTF-16 units', () => {
    assert.ok(withinLength('😀'.repeat(100), 1, 100));
    assert.ok(!withinLength('😀'.repeat(101), 1, 100));
    assert.ok(!withinLength('', 1, 100));
  });

  it('trims a group name before measuring it', () => {
    assert.equal(groupNameField.parse('  team  '), 'team');
    assert.equal(groupNameField.safeParse('   ').success, false);
  });
});
