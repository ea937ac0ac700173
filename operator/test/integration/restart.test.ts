// Series rebuilt identically after a restart; leader election; the CLI as a child process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';
import { INFO_METRIC, STATUS_METRIC } from '@hexactf/contract';
import { KubeConfig } from '@kubernetes/client-node';
import { waitFor } from '@hexactf/testing/wait';
import { connectTestEnv } from '../support/test-env.ts';
import { newOperator } from '../../src/operator.ts';
import { Fixture, parseSeries } from './harness.ts';

const MAIN = resolve(import.meta.dirname, '../../src/main.ts');

test('a restarted operator renders identical challenge series', async (t) => {
  const f = await Fixture.create('restart');
  t.after(() => f.close());
  await f.createDefinition('web-basic');
  await f.createChallenge('c-pending', { user: 'nora', definition: 'web-basic' });
  await f.createChallenge('c-running', { user: 'otto', challengeId: '2', definition: 'web-basic' });
  await f.createChallenge('c-error', { user: 'pia', challengeId: '3', definition: 'missing' });
  await f.markAllAvailable('c-running', 1);
  await f.waitForState('c-running', 'Running');
  await f.waitForState('c-pending', 'Pending');
  await f.waitForState('c-error', 'Error');

  const render = async () => {
    const text = await f.scrapeText();
    return [...parseSeries(text, STATUS_METRIC)].concat([...parseSeries(text, INFO_METRIC)]).sort();
  };
  const before = await render();
  assert.equal(before.filter(([k]) => k.includes(`namespace="${f.ns}"`)).length, 6);
  await f.stopManager();
  await f.startManager();
  assert.deepEqual(await render(), before);

  // "0" disables the metrics endpoint; the same text is still available in-process.
  await f.stopManager();
  const quiet = await f.startManager({ metricsBindAddress: '0', healthProbeBindAddress: '0' });
  assert.equal(quiet.metricsUrl, undefined);
  assert.equal(quiet.healthUrl, undefined);
  const text = await quiet.renderMetrics();
  assert.deepEqual([...parseSeries(text, STATUS_METRIC)].concat([...parseSeries(text, INFO_METRIC)]).sort(), before);
});

test('with --leader-elect only the leader reconciles and exports challenge series; the standby takes over', async (t) => {
  const f = await Fixture.create('leader', {}, false);
  const lease = {
    leaderElect: true,
    leaderElectionId: `lock-${f.ns}`,
    leaderElectionNamespace: f.ns,
    leaseDurationMs: 3000,
  };
  const a = await f.startManager(lease, 'replica-a');
  await waitFor('a leads', async () => a.isLeader());
  const b = await f.startManager(lease, 'replica-b');
  t.after(async () => {
    await a.stop();
    await b.stop();
  });
  // Nothing to wait for: b must stay a follower, so it gets a while in which it could (wrongly) take the lease.
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(b.isLeader(), false);

  await f.createDefinition('web-basic');
  await f.createChallenge('c-quinn', { user: 'quinn', definition: 'web-basic' });
  await f.waitForState('c-quinn', 'Pending');
  const scrape = async (m: typeof a) => (await fetch(m.metricsUrl!)).text();
  assert.equal(parseSeries(await scrape(a), STATUS_METRIC).size, 1);
  const standby = await scrape(b);
  assert.equal(parseSeries(standby, STATUS_METRIC).size, 0);
  assert.match(standby, new RegExp(`leader_election_master_status\\{name="lock-${f.ns}"\\} 0`));

  // Graceful stop releases the Lease: b takes over well before the lease would have expired.
  await a.stop();
  await waitFor('b leads', async () => b.isLeader(), 5000);
  assert.equal(parseSeries(await scrape(b), STATUS_METRIC).size, 1);
  await f.markAllAvailable('c-quinn', 1);
  await f.waitForState('c-quinn', 'Running');
});

test('the CLI runs as a child process: probes, metrics, and a clean exit on SIGTERM', async (t) => {
  const env = connectTestEnv();
  const f = await Fixture.create('cli', {}, false);
  t.after(() => f.close());
  await f.createDefinition('web-basic');
  await f.createChallenge('c-rosa', { user: 'rosa', definition: 'web-basic' });
  const child = spawn(
    process.execPath,
    [
      MAIN,
      '--kubeconfig',
      env.kubeconfigPath,
      '--namespace',
      f.ns,
      '--metrics-bind-address=127.0.0.1:0',
      '--health-probe-bind-address=127.0.0.1:0',
      '--log-level=info',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] }
  );
  t.after(() => {
    if (child.exitCode === null) {
      child.kill('SIGKILL');
    }
  });
  let log = '';
  child.stderr!.on('data', (b) => (log += b));
  const started = await waitFor(
    'started log line',
    async () => {
      const line = log.split('\n').find((l) => l.includes('"operator started"'));
      return line ? JSON.parse(line) : undefined;
    },
    20_000
  );
  assert.equal((await fetch(`${started.health}/healthz`)).status, 200);
  assert.equal((await fetch(`${started.health}/readyz`)).status, 200);
  await f.waitForState('c-rosa', 'Pending');
  const text = await (await fetch(started.metrics)).text();
  assert.equal(
    parseSeries(text, STATUS_METRIC).get(
      `{challenge_id="1",challenge_name="c-rosa",username="rosa",namespace="${f.ns}"}`
    ),
    '0'
  );
  assert.match(text, /process_cpu_seconds_total/);

  child.kill('SIGTERM');
  const [code] = await once(child, 'exit');
  assert.equal(code, 0);
  assert.match(log, /"shutting down","signal":"SIGTERM"/);
});

test('--help documents the flags; bad flags exit 2', async () => {
  const run = async (args: string[]) => {
    const child = spawn(process.execPath, [MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (b) => (out += b));
    child.stderr!.on('data', (b) => (out += b));
    const [code] = await once(child, 'exit');
    return { code, out };
  };
  const help = await run(['--help']);
  assert.equal(help.code, 0);
  for (const flag of [
    '--metrics-bind-address',
    '--health-probe-bind-address',
    '--leader-elect',
    '--leader-election-id',
    '--leader-election-namespace',
    '--lease-duration',
    '--namespace',
    '--pending-timeout',
    '--delete-on-error',
    '--challenge-ttl',
    '--max-per-user',
    '--deleted-series-retention',
    '--max-concurrent-reconciles',
    '--kubeconfig',
    '--log-level',
  ]) {
    assert.ok(help.out.includes(flag), flag);
  }
  const bad = await run(['--deleted-series-retention=1s']);
  assert.equal(bad.code, 2);
  assert.match(bad.out, /at least twice the scrape interval/);
});

test('a manager whose caches cannot sync fails to start, naming the caches and the error', async () => {
  const env = connectTestEnv();
  const kc = new KubeConfig();
  kc.loadFromString(
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      'current-context': 'x',
      clusters: [{ name: 'x', cluster: { server: env.apiserverUrl, 'insecure-skip-tls-verify': true } }],
      users: [{ name: 'x', user: { token: 'not-a-valid-token' } }],
      contexts: [{ name: 'x', context: { cluster: 'x', user: 'x' } }],
    })
  );
  const { manager: m } = newOperator({
    kubeConfig: kc,
    flags: { metricsBindAddress: '0', healthProbeBindAddress: '127.0.0.1:0' },
    defaultMetrics: false,
    cacheSyncTimeoutMs: 1500,
  });
  const started = m.start();
  // Alive but not ready while the caches cannot sync.
  const health = await waitFor('probe server', async () => m.healthUrl);
  assert.equal((await fetch(`${health}/healthz`)).status, 200);
  const ready = await fetch(`${health}/readyz`);
  assert.equal(ready.status, 503);
  assert.match(
    await ready.text(),
    /caches not synced: challenges, definitions, deployments, services, networkpolicies, pods/
  );
  await assert.rejects(started, /caches not synced after 1.5s: challenges \(401: Unauthorized\)/);
});
