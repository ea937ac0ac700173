import { test } from 'node:test';
import assert from 'node:assert/strict';
import { childName, dnsSafe } from '../../src/controller/naming.ts';

const DNS1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

test('child names are deterministic DNS-1035 labels of at most 63 characters', () => {
  const cases: Array<[string, string, string, string]> = [
    ['challenge-1-alice', '1', 'alice', 'web'],
    ['c', '42', 'Alice.Bob_Übermensch!!', 'db'],
    ['x'.repeat(253), '9'.repeat(40), 'u'.repeat(63), 'component-name-long'],
    ['weird', '', '---', 'a'],
  ];
  for (const [name, cid, user, comp] of cases) {
    const n = childName(name, cid, user, comp);
    assert.match(n, DNS1035, n);
    assert.ok(n.length <= 63, n);
    assert.equal(childName(name, cid, user, comp), n, 'deterministic');
  }
  assert.match(childName('challenge-1-alice', '1', 'alice', 'web'), /^ch-1-alice-web-[0-9a-f]{16}$/);
});

test('users whose names sanitize or truncate to the same text still get distinct children', () => {
  const long = 'a'.repeat(80);
  const names = new Set([
    childName('c-1', '1', 'Bob', 'web'),
    childName('c-2', '1', 'bob', 'web'),
    childName('c-3', '1', 'b.o.b', 'web'),
    childName('c-4', '1', long + 'x', 'web'),
    childName('c-5', '1', long + 'y', 'web'),
    childName('c-1', '1', 'Bob', 'db'),
  ]);
  assert.equal(names.size, 6);
});

test('dnsSafe lowercases and collapses everything else to single dashes', () => {
  assert.equal(dnsSafe('Hello__World..42-'), 'hello-world-42');
  assert.equal(dnsSafe('***'), '');
});
