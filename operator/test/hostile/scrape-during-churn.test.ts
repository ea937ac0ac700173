// /metrics streams the challenge series in slices and lets the event loop run between them, so informer events
// land in the middle of a scrape. The text must still be one consistent view: every series once, status and
// info for the same set of Challenges, families contiguous, and valid for promtool.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { INFO_METRIC, REQUESTS_METRIC, STATUS_METRIC } from '@hexactf/contract';
import { FakeClock } from '../../src/clock.ts';
import { ChallengeCollector } from '../../src/metrics/challenge-collector.ts';
import type { Challenge } from '../../src/api/types.ts';
import { makeChallenges, makeDefinitions } from '../../bench/fixtures.ts';
import { parseSeries } from '../integration/harness.ts';
import { promtoolCheckMetrics } from './prometheus.ts';

test('a scrape interleaved with adds, updates and deletes of 20,000 Challenges stays one consistent, valid exposition', async () => {
  // Enough spare Challenges that none deleted during the scrape comes back (a tombstone then stays unexported).
  const all = makeChallenges(40_000);
  const live = new Map<string, Challenge>(
    all.slice(0, 20_000).map((c) => [`${c.metadata.namespace}/${c.metadata.name}`, c])
  );
  const defs = makeDefinitions();
  const clock = new FakeClock();
  const collector = new ChallengeCollector(
    {
      challenges: () => live.values(),
      get: (k) => live.get(k),
      definitions: () => defs,
      definition: (ns, n) => defs.find((d) => d.metadata.namespace === ns && d.metadata.name === n),
    },
    clock,
    60_000
  );
  const before = new Set(live.keys());

  // Churn on every turn of the event loop while the scrape runs (sliceMs 0: yield after every piece).
  let turns = 0;
  let next = 20_000;
  let churning = true;
  const churn = () => {
    if (!churning) {
      return;
    }
    turns++;
    for (let i = 0; i < 50; i++) {
      const victim = `ctf-${(turns * 50 + i) % 4}/${all[(turns * 97 + i * 13) % 20_000].metadata.name}`;
      const ch = live.get(victim);
      if (ch) {
        live.delete(victim);
        collector.onDeleted(ch);
      }
      const added = all[next++ % all.length];
      live.set(`${added.metadata.namespace}/${added.metadata.name}`, {
        ...added,
        status: { currentStatus: { state: 'Running' } },
      });
    }
    setImmediate(churn);
  };
  setImmediate(churn);
  let text = '';
  await collector.renderTo((chunk) => (text += chunk.toString()), 0);
  churning = false;

  assert.ok(turns > 5, `the scrape yielded ${turns} times`);
  const status = parseSeries(text, STATUS_METRIC);
  const info = parseSeries(text, INFO_METRIC);
  const statusLines = text.split('\n').filter((l) => l.startsWith(`${STATUS_METRIC}{`));
  assert.equal(statusLines.length, status.size, 'every status series once');
  // The view is the cache at the start of the scrape: all of it, nothing added later.
  assert.equal(status.size, before.size);
  assert.equal(info.size, before.size);
  const name = (labels: string) => /challenge_name="([^"]*)"/.exec(labels)![1];
  const statusNames = new Set([...status.keys()].map(name));
  for (const k of info.keys()) {
    assert.ok(statusNames.has(name(k)), `info without status: ${k}`);
  }
  // Families are contiguous (the exposition format requires it).
  const order = text
    .split('\n')
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => l.slice(0, l.indexOf('{')));
  const families = order.filter((m, i) => i === 0 || order[i - 1] !== m);
  assert.deepEqual(families, [STATUS_METRIC, INFO_METRIC, REQUESTS_METRIC]);
  const r = promtoolCheckMetrics(text);
  assert.equal(r.status, 0, r.output);

  // The next scrape sees the deletions as tombstones (2) and the additions.
  const second = parseSeries(collector.render(), STATUS_METRIC);
  assert.equal([...second.values()].filter((v) => v === '2').length, collector.tombstoneCount());
  assert.equal(second.size, live.size + collector.tombstoneCount());
});
