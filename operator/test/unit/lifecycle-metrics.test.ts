// The lifecycle series exist at 0 before their first observation, in the registry's real exposition, and players
// cannot add series by naming definitions that do not exist.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LIFETIME_METRIC, TIME_TO_RUNNING_METRIC, TRANSITIONS_METRIC, UNKNOWN_DEFINITION } from '@hexactf/contract';
import { ControllerMetrics } from '../../src/metrics/controller-metrics.ts';
import { LifecycleMetrics } from '../../src/metrics/lifecycle-metrics.ts';

const BOUNDS = ['1', '5', '10', '30', '60', '120', '300', '600', '1800', '3600', '7200', '21600', '86400', '+Inf'];

/** Sample lines of one metric family (`name` and its _bucket/_sum/_count), as `series value`. */
async function samples(m: LifecycleMetrics, name: string): Promise<string[]> {
  const text = await m.registry.metrics();
  return text
    .split('\n')
    .filter(
      (l) =>
        !l.startsWith('#') &&
        /^[a-z_]+[{ ]/.test(l) &&
        l.replace(/[{ ].*/, '').replace(/_(bucket|sum|count)$/, '') === name
    );
}

function zeroHistogram(name: string, ns: string, def: string): string[] {
  return [
    ...BOUNDS.map((le) => `${name}_bucket{le="${le}",namespace="${ns}",definition="${def}"} 0`),
    `${name}_sum{namespace="${ns}",definition="${def}"} 0`,
    `${name}_count{namespace="${ns}",definition="${def}"} 0`,
  ];
}

test('nothing is exported before a namespace or definition is known', async () => {
  const m = new LifecycleMetrics(new ControllerMetrics(false).registry);
  for (const name of [TRANSITIONS_METRIC, TIME_TO_RUNNING_METRIC, LIFETIME_METRIC]) {
    assert.deepEqual(await samples(m, name), []);
  }
});

test('a known definition has both histograms at 0 (every bucket) and its namespace every transition at 0', async () => {
  const m = new LifecycleMetrics(new ControllerMetrics(false).registry);
  m.lifecycleDefinition('ctf', 'web-login');
  assert.deepEqual(await samples(m, TIME_TO_RUNNING_METRIC), zeroHistogram(TIME_TO_RUNNING_METRIC, 'ctf', 'web-login'));
  assert.deepEqual(await samples(m, LIFETIME_METRIC), zeroHistogram(LIFETIME_METRIC, 'ctf', 'web-login'));
  const pairs = (await samples(m, TRANSITIONS_METRIC)).map((l) => {
    assert.match(l, /^challenge_state_transitions_total\{namespace="ctf",from="\w+",to="\w+"\} 0$/);
    return /from="(\w+)",to="(\w+)"/.exec(l)!.slice(1).join('->');
  });
  assert.deepEqual(pairs.sort(), [
    'Error->Deleted',
    'Error->Pending',
    'Error->Running',
    'None->Deleted',
    'None->Error',
    'None->Pending',
    'None->Running',
    'Pending->Deleted',
    'Pending->Error',
    'Pending->Running',
    'Running->Deleted',
    'Running->Error',
    'Running->Pending',
  ]);
});

test('observations add to the pre-created series; seeing the definition again resets nothing', async () => {
  const m = new LifecycleMetrics(new ControllerMetrics(false).registry);
  m.lifecycleDefinition('ctf', 'web-login');
  m.transition('ctf', 'None', 'Pending');
  m.timeToRunning('ctf', 'web-login', 7);
  m.lifetime('ctf', 'web-login', 45);
  m.lifecycleDefinition('ctf', 'web-login');
  m.lifecycleNamespace('ctf');
  const ttr = await samples(m, TIME_TO_RUNNING_METRIC);
  assert.ok(ttr.includes(`${TIME_TO_RUNNING_METRIC}_bucket{le="5",namespace="ctf",definition="web-login"} 0`));
  assert.ok(ttr.includes(`${TIME_TO_RUNNING_METRIC}_bucket{le="10",namespace="ctf",definition="web-login"} 1`));
  assert.ok(ttr.includes(`${TIME_TO_RUNNING_METRIC}_count{namespace="ctf",definition="web-login"} 1`));
  const life = await samples(m, LIFETIME_METRIC);
  assert.ok(life.includes(`${LIFETIME_METRIC}_bucket{le="30",namespace="ctf",definition="web-login"} 0`));
  assert.ok(life.includes(`${LIFETIME_METRIC}_bucket{le="60",namespace="ctf",definition="web-login"} 1`));
  assert.ok(life.includes(`${LIFETIME_METRIC}_sum{namespace="ctf",definition="web-login"} 45`));
  const transitions = await samples(m, TRANSITIONS_METRIC);
  assert.ok(transitions.includes(`${TRANSITIONS_METRIC}{namespace="ctf",from="None",to="Pending"} 1`));
  assert.equal(transitions.length, 13);
});

test('a definition never seen is recorded under one series per namespace, however many names players make up', async () => {
  const m = new LifecycleMetrics(new ControllerMetrics(false).registry);
  m.lifecycleDefinition('ctf', 'web-login');
  for (let i = 0; i < 500; i++) {
    m.lifetime('ctf', `made-up-${i}`, 3);
  }
  m.timeToRunning('ctf2', 'made-up', 2);
  const life = await samples(m, LIFETIME_METRIC);
  assert.ok(!life.some((l) => l.includes('made-up')));
  assert.ok(life.includes(`${LIFETIME_METRIC}_count{namespace="ctf",definition="${UNKNOWN_DEFINITION}"} 500`));
  assert.ok(life.includes(`${LIFETIME_METRIC}_count{namespace="ctf",definition="web-login"} 0`));
  assert.equal(new Set(life.map((l) => /definition="([^"]*)"/.exec(l)![1])).size, 2);
  assert.ok(
    (await samples(m, TIME_TO_RUNNING_METRIC)).includes(
      `${TIME_TO_RUNNING_METRIC}_count{namespace="ctf2",definition="${UNKNOWN_DEFINITION}"} 1`
    )
  );
  // The namespace of such an observation gets its transitions too (a watched namespace, not a player's choice).
  assert.equal((await samples(m, TRANSITIONS_METRIC)).filter((l) => l.includes('namespace="ctf2"')).length, 13);
});
