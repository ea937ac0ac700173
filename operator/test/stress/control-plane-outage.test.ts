// kube-apiserver, then etcd, stopped and restarted under a running operator (the CLI as a child process, on a
// private control plane). The operator must not exit, /readyz must go 503 during each outage and 200 after,
// /metrics keeps answering from the cache, and reconciling resumes: changes made after each outage converge.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { STATUS_METRIC } from '@hexactf/contract';
import { waitFor } from '@hexactf/testing/wait';
import type { TestEnv } from '../support/test-env.ts';
import { Kube, OperatorProcess, definitionSpec, parseSeries, privateEnv } from './support.ts';

let env: TestEnv;
let kube: Kube;
let op: OperatorProcess;

before(async () => {
  env = await privateEnv();
  kube = await Kube.create(env.kubeConfig, 'outage');
  await kube.createDefinition('web', definitionSpec());
  op = await OperatorProcess.start(env.kubeconfigPath, ['--namespace', kube.ns]);
});
after(async () => {
  await op?.kill();
  await env?.stop();
});

const statusOf = async (name: string) =>
  parseSeries(await op.scrape(), STATUS_METRIC).get(
    `{challenge_id="1",challenge_name="${name}",username="${name.slice(2)}",namespace="${kube.ns}"}`
  );

/** Plays the Deployment controller for one Challenge and waits for Running. */
async function bringUp(name: string, timeoutMs = 30_000): Promise<void> {
  await waitFor(
    `${name} Running`,
    async () => {
      const ch = await kube.getChallenge(name);
      if (!ch) {
        return false;
      }
      for (const d of await kube.deployments()) {
        if (d.metadata!.labels!['apps.hexactf.io/owner-uid'] === ch.metadata.uid && !d.status?.availableReplicas) {
          await kube.markAvailable(d);
        }
      }
      return ch.status?.currentStatus?.state === 'Running';
    },
    timeoutMs
  );
}

test('kube-apiserver stopped and restarted: no exit, /readyz 503 then 200, reconciling resumes', async (t) => {
  await kube.createChallenge('c-ann', { user: 'ann', definition: 'web' });
  await bringUp('c-ann');
  assert.equal(await op.readyz(), 200);

  await env.stopApiserver();
  t.after(() => env.startApiserver().catch(() => {})); // no-op if the test got that far (the next test needs it)
  const down = Date.now();
  await waitFor('/readyz 503 during the apiserver outage', async () => (await op.readyz()) === 503, 15_000);
  const noticedMs = Date.now() - down;
  assert.equal(await op.healthz(), 200, 'liveness stays up: restarting the pod would not help');
  assert.equal(await statusOf('c-ann'), '1', 'metrics keep coming from the cache');
  await new Promise((r) => setTimeout(r, 2000)); // the outage goes on: the operator must live through it
  assert.ok(op.alive(), 'the operator did not exit');

  await env.startApiserver();
  await waitFor('/readyz 200 after the apiserver is back', async () => (await op.readyz()) === 200, 30_000);
  await kube.createChallenge('c-bob', { user: 'bob', definition: 'web' });
  await bringUp('c-bob', 60_000);
  assert.equal(await statusOf('c-bob'), '1');
  assert.ok(op.alive());
  assert.ok(noticedMs < 15_000, `readiness noticed the outage after ${noticedMs} ms`);
});

test('etcd stopped and restarted: no exit, /readyz 503 then 200, writes resume', async (t) => {
  await kube.createChallenge('c-cyd', { user: 'cyd', definition: 'web' });
  await bringUp('c-cyd');
  assert.equal(await op.readyz(), 200);

  await env.stopEtcd();
  t.after(() => env.startEtcd().catch(() => {}));
  await waitFor('/readyz 503 during the etcd outage', async () => (await op.readyz()) === 503, 30_000);
  assert.equal(await op.healthz(), 200);
  assert.equal(await statusOf('c-cyd'), '1');
  await new Promise((r) => setTimeout(r, 2000)); // the outage goes on: the operator must live through it
  assert.ok(op.alive(), 'the operator did not exit');

  await env.startEtcd();
  await waitFor('/readyz 200 after etcd is back', async () => (await op.readyz()) === 200, 60_000);
  await kube.createChallenge('c-dee', { user: 'dee', definition: 'web' });
  await bringUp('c-dee', 60_000);
  // The Challenge created before the outage is untouched, and nothing was duplicated or orphaned.
  assert.equal(await kube.state('c-cyd'), 'Running');
  const report = await kube.childReport();
  assert.deepEqual([report.orphans, report.duplicates], [[], []]);
  assert.deepEqual([...report.perChallenge.values()], [2, 2, 2, 2]);
  assert.ok(op.alive());
});
