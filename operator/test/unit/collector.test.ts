import { test } from 'node:test';
import assert from 'node:assert/strict';
import { STATUS_METRIC } from '@hexactf/contract';
import { FakeClock } from '../../src/clock.ts';
import { ChallengeCollector } from '../../src/metrics/challenge-collector.ts';
import { definitionRequests } from '../../src/metrics/challenge-families.ts';
import { escapeLabelValue } from '../../src/metrics/exposition.ts';
import type { Piece } from '../../src/metrics/gzip-pieces.ts';
import { parseQuantity } from '../../src/api/quantity.ts';
import type { Challenge, ChallengeDefinition } from '../../src/api/types.ts';

function challenge(name: string, user: string, state?: string, extra: Partial<Challenge['metadata']> = {}): Challenge {
  return {
    metadata: {
      name,
      namespace: 'ctf',
      labels: { 'apps.hexactf.io/challengeId': '7', 'apps.hexactf.io/user': user },
      ...extra,
    },
    spec: { definition: 'web-basic' },
    status: state ? { currentStatus: { state: state as any } } : undefined,
  };
}

const def: ChallengeDefinition = {
  metadata: { name: 'web-basic', namespace: 'ctf' },
  spec: {
    category: 'web',
    components: [
      {
        name: 'app',
        deployment: {
          spec: {
            replicas: 2,
            template: {
              spec: {
                containers: [{ name: 'a', image: 'x', resources: { requests: { cpu: '250m', memory: '64Mi' } } }],
              },
            },
          },
        },
      },
      {
        name: 'db',
        deployment: {
          spec: {
            template: {
              spec: { containers: [{ name: 'b', image: 'y', resources: { limits: { cpu: '1', memory: '1G' } } }] },
            },
          },
        },
      },
    ],
  },
};

function setup(items: Challenge[]) {
  const clock = new FakeClock();
  const live = new Map(items.map((c) => [c.metadata.name, c]));
  const col = new ChallengeCollector(
    {
      challenges: () => live.values(),
      get: (k) => live.get(k.split('/')[1]),
      definitions: () => [def],
      definition: (_ns, n) => (n === def.metadata.name ? def : undefined),
    },
    clock,
    60_000
  );
  return { clock, live, col };
}

test("states that are not ours count as Pending: the original operator's, and names inherited by every object", () => {
  const odd = ['None', 'Creating', 'Created', 'Terminating', 'constructor', 'toString', '__proto__', 'hasOwnProperty'];
  const { col } = setup(odd.map((state, i) => challenge(`x${i}`, `u${i}`, state)));
  const values = col
    .render()
    .split('\n')
    .filter((l) => l.startsWith(`${STATUS_METRIC}{`))
    .map((l) => l.slice(l.lastIndexOf(' ') + 1));
  assert.deepEqual(
    values,
    odd.map(() => '0')
  );
});

test('one series per Challenge with the contract labels and values 0-3', () => {
  const { col } = setup([
    challenge('a', 'alice'),
    challenge('b', 'bob', 'Pending'),
    challenge('c', 'carol', 'Running'),
    challenge('d', 'dave', 'Error'),
    challenge('e', 'erin', 'Running', { deletionTimestamp: '2026-01-01T00:00:00Z' }),
  ]);
  const lines = col
    .render()
    .split('\n')
    .filter((l) => l.startsWith(`${STATUS_METRIC}{`));
  assert.deepEqual(lines, [
    'challenge_resource_status{challenge_id="7",challenge_name="a",username="alice",namespace="ctf"} 0',
    'challenge_resource_status{challenge_id="7",challenge_name="b",username="bob",namespace="ctf"} 0',
    'challenge_resource_status{challenge_id="7",challenge_name="c",username="carol",namespace="ctf"} 1',
    'challenge_resource_status{challenge_id="7",challenge_name="d",username="dave",namespace="ctf"} 3',
    'challenge_resource_status{challenge_id="7",challenge_name="e",username="erin",namespace="ctf"} 2',
  ]);
});

test('a deleted Challenge stays exported as 2 for the retention, then disappears', () => {
  const { clock, live, col } = setup([challenge('a', 'alice', 'Running')]);
  const gone = live.get('a')!;
  live.delete('a');
  col.onDeleted(gone);
  const series = () =>
    col
      .render()
      .split('\n')
      .filter((l) => l.startsWith(`${STATUS_METRIC}{`));
  assert.deepEqual(series(), [
    'challenge_resource_status{challenge_id="7",challenge_name="a",username="alice",namespace="ctf"} 2',
  ]);
  clock.advance(59_999);
  assert.equal(series().length, 1);
  clock.advance(1);
  assert.deepEqual(series(), []);
  assert.equal(col.tombstoneCount(), 0);
});

test('a Challenge recreated under the same name is exported once, from the cache', () => {
  const { live, col } = setup([challenge('a', 'alice', 'Running')]);
  col.onDeleted(live.get('a')!);
  live.set('a', challenge('a', 'alice', 'Pending'));
  const lines = col
    .render()
    .split('\n')
    .filter((l) => l.startsWith(`${STATUS_METRIC}{`));
  assert.deepEqual(lines, [
    'challenge_resource_status{challenge_id="7",challenge_name="a",username="alice",namespace="ctf"} 0',
  ]);
});

test('label values are escaped', () => {
  assert.equal(escapeLabelValue('plain'), 'plain');
  assert.equal(escapeLabelValue('a"b\\c\nd'), 'a\\"b\\\\c\\nd');
  const { col } = setup([challenge('q', 'ev"il\\\n', 'Running')]);
  assert.ok(col.render().includes('username="ev\\"il\\\\\\n"'));
});

test('challenge_info and definition requests carry definition and category', () => {
  const { col } = setup([challenge('a', 'alice', 'Running')]);
  const text = col.render();
  assert.ok(
    text.includes(
      'challenge_info{challenge_id="7",challenge_name="a",username="alice",namespace="ctf",definition="web-basic",category="web"} 1'
    )
  );
  assert.ok(
    text.includes(
      'challenge_definition_requests{namespace="ctf",definition="web-basic",category="web",resource="cpu"} 1.5'
    )
  );
  assert.ok(
    text.includes(
      `challenge_definition_requests{namespace="ctf",definition="web-basic",category="web",resource="memory"} ${2 * 64 * 2 ** 20 + 1e9}`
    )
  );
  assert.deepEqual(definitionRequests(def), { cpu: 1.5, memory: 2 * 64 * 2 ** 20 + 1e9 });
});

test('quantities', () => {
  assert.equal(parseQuantity('250m'), 0.25);
  assert.equal(parseQuantity('2'), 2);
  assert.equal(parseQuantity('1.5Gi'), 1.5 * 2 ** 30);
  assert.equal(parseQuantity('1e3'), 1000);
  assert.equal(parseQuantity('128M'), 128e6);
  assert.equal(parseQuantity(3), 3);
  assert.equal(parseQuantity('12parsecs'), undefined);
});

test('a scrape re-renders only the blocks whose Challenges changed, and says what a fresh collector says', async () => {
  const items = Array.from({ length: 2000 }, (_, i) => challenge(`c${i}`, `u${i}`, 'Running'));
  const { live, col } = setup(items);
  const pieces = async (c: ChallengeCollector) => {
    const out: Piece[] = [];
    await c.renderPieces((p) => void out.push(p));
    return out;
  };
  const before = await pieces(col);
  const again = await pieces(col);
  assert.deepEqual(again, before);
  assert.ok(
    again.every((p, i) => p === before[i]),
    'nothing changed: the same pieces, nothing rendered'
  );

  live.set('c700', challenge('c700', 'u700', 'Error')); // an update: a new object version
  live.delete('c1500');
  col.onDeleted(items[1500]);
  live.set('new', challenge('new', 'newcomer', 'Pending'));
  const after = await pieces(col);
  const reused = after.filter((p) => before.includes(p)).length;
  assert.ok(reused >= after.length - 6, `${reused} of ${after.length} pieces reused`);
  assert.ok(reused < after.length);

  const text = after.map((p) => p.plain.toString()).join('');
  const fresh = setup([]);
  for (const [k, v] of live) {
    fresh.live.set(k, v);
  }
  fresh.col.onDeleted(items[1500]);
  const sorted = (t: string) => t.split('\n').sort();
  assert.deepEqual(sorted(text), sorted(fresh.col.render()));
  assert.ok(
    text.includes(
      'challenge_resource_status{challenge_id="7",challenge_name="c700",username="u700",namespace="ctf"} 3\n'
    )
  );
  assert.ok(
    text.includes(
      'challenge_resource_status{challenge_id="7",challenge_name="c1500",username="u1500",namespace="ctf"} 2\n'
    )
  );
  assert.ok(
    text.includes(
      'challenge_info{challenge_id="7",challenge_name="new",username="newcomer",namespace="ctf",definition="web-basic",category="web"} 1\n'
    )
  );
  assert.equal(text.split('\n').filter((l) => l.startsWith(`${STATUS_METRIC}{`)).length, 2001);
});

test('an info line follows its definition: updated, deleted and created again', () => {
  let current: ChallengeDefinition | undefined = def;
  const live = new Map([['a', challenge('a', 'alice', 'Running')]]);
  const col = new ChallengeCollector(
    {
      challenges: () => live.values(),
      get: (k) => live.get(k.split('/')[1]),
      definitions: () => (current ? [current] : []),
      definition: () => current,
    },
    new FakeClock(),
    60_000
  );
  const category = () => /challenge_info\{[^}]*category="([^"]*)"/.exec(col.render())?.[1];
  assert.equal(category(), 'web');
  current = { ...def, spec: { ...def.spec, category: 'pwn' } };
  assert.equal(category(), 'pwn');
  current = undefined;
  assert.equal(category(), '');
  current = def;
  assert.equal(category(), 'web');
});

test('renders take turns: concurrent scrapes both get the whole text', async () => {
  const { col } = setup(Array.from({ length: 3000 }, (_, i) => challenge(`c${i}`, `u${i}`, 'Running')));
  const texts = ['', ''];
  await Promise.all(texts.map((_, i) => col.renderTo((c) => (texts[i] += c.toString()), 0)));
  assert.equal(texts[0], texts[1]);
  assert.equal(texts[0], col.render());
  assert.equal(texts[0].split('\n').filter((l) => l.startsWith(`${STATUS_METRIC}{`)).length, 3000);
});
