// The demo workload generator: argument parsing, the challenge catalog, and real runs against the test apiserver
// (no operator running, so Challenges are plain objects and deletes finish at once).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CustomObjectsApi } from '@kubernetes/client-node';
import { applyDefinitions, buildCatalog, loadDefinitions } from '../../demo/catalog.ts';
import {
  defaultOptions,
  parseDuration,
  parseRate,
  parseWorkloadArgs,
  type WorkloadOptions,
} from '../../demo/options.ts';
import { LABEL_DEMO, runWorkload } from '../../demo/workload.ts';
import { useTestEnv, type TestEnv } from '../support/test-env.ts';
import { createTestNamespace } from '../support/cluster-setup.ts';

const workloadScript = resolve(import.meta.dirname, '../../demo/workload.ts');

describe('workload arguments', () => {
  it('parses rates and Go durations', () => {
    assert.equal(parseRate('5/s'), 5);
    assert.equal(parseRate('30/m'), 0.5);
    assert.equal(parseRate('2'), 2);
    assert.throws(() => parseRate('fast'));
    assert.equal(parseDuration('1h30m'), 5_400_000);
    assert.equal(parseDuration('500ms'), 500);
    assert.equal(parseDuration('0'), 0);
    assert.throws(() => parseDuration('10 minutes'));
  });

  it('reads the documented command line', () => {
    const { options, kubeconfig } = parseWorkloadArgs([
      '--users',
      '50',
      '--challenges',
      '10',
      '--rate',
      '5/s',
      '--fail-ratio',
      '0.1',
      '--duration',
      '10m',
      '--kubeconfig',
      '/k',
    ]);
    assert.deepEqual(
      { ...options },
      { ...defaultOptions, users: 50, challenges: 10, rate: 5, failRatio: 0.1, durationMs: 600_000 }
    );
    assert.equal(kubeconfig, '/k');
    assert.throws(() => parseWorkloadArgs(['--fail-ratio', '2']));
    assert.throws(() => parseWorkloadArgs(['--userz', '2']));
  });

  it('builds a catalog over the demo definitions with one failing challenge', () => {
    const catalog = buildCatalog(loadDefinitions(), 10);
    assert.equal(catalog.length, 10);
    assert.deepEqual(
      catalog.filter((c) => c.fails).map((c) => [c.challengeId, c.definition]),
      [['chal-10', 'misc-broken']]
    );
    assert.deepEqual(new Set(catalog.map((c) => c.category)), new Set(['web', 'pwn', 'crypto', 'misc']));
  });
});

describe('workload against the apiserver', () => {
  let env: TestEnv;
  const defs = loadDefinitions();
  before(async () => {
    env = await useTestEnv();
    await env.installCrds();
  });
  after(async () => env?.stop());

  const options = (namespace: string, o: Partial<WorkloadOptions>): WorkloadOptions => ({
    ...defaultOptions,
    namespace,
    users: 5,
    challenges: 6,
    maxPerUser: 2,
    seed: 7,
    ...o,
  });
  const list = async (ns: string) =>
    (
      (await env.kubeConfig.makeApiClient(CustomObjectsApi).listNamespacedCustomObject({
        group: 'apps.hexactf.io',
        version: 'v1alpha1',
        namespace: ns,
        plural: 'challenges',
        labelSelector: `${LABEL_DEMO}=true`,
      })) as { items: any[] }
    ).items;

  it('applies the demo definitions, twice (create, then replace)', async () => {
    const ns = await createTestNamespace(env.kubeConfig, 'workload-defs');
    await applyDefinitions(env.kubeConfig, ns, defs);
    await applyDefinitions(env.kubeConfig, ns, defs);
    const got = (await env.kubeConfig.makeApiClient(CustomObjectsApi).listNamespacedCustomObject({
      group: 'apps.hexactf.io',
      version: 'v1alpha1',
      namespace: ns,
      plural: 'challengedefinitions',
    })) as { items: any[] };
    assert.deepEqual(got.items.map((d) => d.metadata.name).sort(), [
      'crypto-oracle',
      'misc-broken',
      'pwn-echo',
      'web-login',
      'web-upload',
    ]);
  });

  it('opens and closes instances at the rate, respects max-per-user, sends fail-ratio to the failing challenge, cleans up', async () => {
    const ns = await createTestNamespace(env.kubeConfig, 'workload-run');
    await applyDefinitions(env.kubeConfig, ns, defs);
    const stats = await runWorkload(
      env.kubeConfig,
      options(ns, { rate: 40, durationMs: 1500, holdMs: 200, failRatio: 0.3, cleanup: true }),
      defs
    );
    // Opens follow a fixed schedule (40/s for 1.5 s: at most 60). Fewer happen when every player's slots are held
    // because closes are slow on a loaded apiserver, so the lower bound only asks for a real number of opens.
    assert.ok(stats.opened >= 8 && stats.opened <= 60, `opened ${stats.opened}`);
    assert.ok(stats.closed >= stats.opened - stats.conflicts, `closed ${stats.closed} of ${stats.opened}`);
    assert.ok(stats.openedFailing > 0 && stats.openedFailing < stats.opened, `failing ${stats.openedFailing}`);
    assert.ok(stats.peakPerUser <= 2);
    assert.equal(stats.errors, 0);
    assert.ok(stats.byCategory.misc === stats.openedFailing);
    assert.equal((await list(ns)).length, 0, 'cleanup deleted every instance');
  });

  it('runs as the documented command line and prints its counts', async () => {
    const ns = await createTestNamespace(env.kubeConfig, 'workload-cli');
    const r = spawnSync(
      process.execPath,
      [
        workloadScript,
        '--kubeconfig',
        env.kubeconfigPath,
        '--namespace',
        ns,
        '--users',
        '3',
        '--challenges',
        '4',
        '--rate',
        '20/s',
        '--fail-ratio',
        '0.25',
        '--hold',
        '200ms',
        '--duration',
        '1s',
        '--cleanup',
      ],
      { encoding: 'utf8', timeout: 60_000 }
    );
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.match(lines[0], /^workload: 3 players, 4 challenges, 20\/s/);
    const stats = JSON.parse(lines.at(-1)!);
    assert.ok(stats.opened > 5 && stats.errors === 0, lines.at(-1));
    assert.equal((await list(ns)).length, 0);
    // Definitions were applied by the command itself.
    const defs = (await env.kubeConfig.makeApiClient(CustomObjectsApi).listNamespacedCustomObject({
      group: 'apps.hexactf.io',
      version: 'v1alpha1',
      namespace: ns,
      plural: 'challengedefinitions',
    })) as { items: unknown[] };
    assert.equal(defs.items.length, 5);
  });

  it('creates well-formed Challenges and repeats itself for the same seed', async () => {
    const run = async () => {
      const ns = await createTestNamespace(env.kubeConfig, 'workload-seed');
      const opened: string[] = [];
      await runWorkload(
        env.kubeConfig,
        options(ns, { rate: 50, durationMs: 300, holdMs: 3_600_000, failRatio: 0.5 }),
        defs,
        { onOpen: (name) => opened.push(name) }
      );
      return { ns, opened };
    };
    const a = await run();
    const b = await run();
    assert.ok(a.opened.length >= 5);
    // Timing decides how many ticks fit in 300 ms, the PRNG seed decides which: the shorter run is a prefix of the other.
    const [short, long] = a.opened.length <= b.opened.length ? [a.opened, b.opened] : [b.opened, a.opened];
    assert.ok(
      short.every((n) => long.includes(n)),
      `${short} vs ${long}`
    );
    const items = await list(a.ns);
    assert.equal(items.length, a.opened.length, 'no cleanup: instances stay open');
    for (const ch of items) {
      const id = ch.metadata.labels['apps.hexactf.io/challengeId'];
      const user = ch.metadata.labels['apps.hexactf.io/user'];
      assert.equal(ch.metadata.name, `${id}-${user}`);
      assert.match(user, /^player-00[1-5]$/);
      assert.ok(defs.some((d) => d.metadata.name === ch.spec.definition));
    }
  });
});
