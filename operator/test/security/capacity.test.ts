// The namespace's capacity against the operator, on the real apiserver: a definition that would exceed the bounds
// the chart also puts in the LimitRange is refused with the reason; when the namespace's ResourceQuota has no room
// for one more NodePort Service, the Challenge goes to Error NodePortsExhausted at once, and stays there (no retry
// until --pending-timeout); a Deployment whose pods the quota refuses puts it in Error NamespaceQuotaExceeded. The quota's status is primed as its controller would (test/support/quota-controller.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { getCondition } from '../../src/controller/status.ts';
import { primeQuotas } from '../support/quota-controller.ts';
import { Fixture, definitionSpec } from '../integration/harness.ts';

test('a definition above the bounds is refused with the reason (replicas, CPU limit)', async (t) => {
  const f = await Fixture.create('bounds');
  t.after(() => f.close());
  const many = definitionSpec();
  many.components[0].deployment.spec.replicas = 8;
  const greedy = definitionSpec({ containerExtra: { resources: { limits: { cpu: '16', memory: '1Gi' } } } });
  await f.createDefinition('many', many);
  await f.createDefinition('greedy', greedy);
  await f.createChallenge('ch-many', { user: 'alice', definition: 'many' });
  await f.createChallenge('ch-greedy', { user: 'bob', definition: 'greedy' });
  for (const [name, why] of [
    ['ch-many', /deployment\.spec\.replicas: at most 5 replicas \(--max-replicas\)/],
    ['ch-greedy', /resources\.limits\.cpu: 16 is above the operator's bound 2/],
  ] as const) {
    const ch = await f.waitForState(name, 'Error');
    assert.equal(getCondition(ch.status, 'Ready')?.reason, 'DefinitionRefused');
    assert.match(ch.status!.currentStatus!.errorMsg!, why);
    assert.equal((await f.deploymentsOf(ch)).length, 0, `${name}: nothing created`);
  }
});

test('quota services.nodeports=1: the second NodePort Challenge goes to Error NodePortsExhausted', async (t) => {
  const f = await Fixture.create('nodeports');
  t.after(() => f.close());
  await f.core.createNamespacedResourceQuota({
    namespace: f.ns,
    body: { metadata: { name: 'challenges' }, spec: { hard: { 'services.nodeports': '1' } } },
  });
  await primeQuotas(f.kc, f.ns);
  await f.createDefinition('web', definitionSpec());

  await f.createChallenge('ch-1-alice', { user: 'alice', definition: 'web' });
  const first = await f.waitForState('ch-1-alice', 'Pending');
  assert.equal((await f.servicesOf(first)).length, 1, 'the first one has its NodePort Service');

  await f.createChallenge('ch-1-bob', { user: 'bob', definition: 'web' });
  const second = await f.waitForState('ch-1-bob', 'Error');
  const ready = getCondition(second.status, 'Ready');
  assert.equal(ready?.reason, 'NodePortsExhausted', ready?.message);
  assert.match(second.status!.currentStatus!.errorMsg!, /ResourceQuota allows no more NodePort Services/);
  assert.match(second.status!.currentStatus!.errorMsg!, /services\.nodeports/);
  assert.equal((await f.servicesOf(second)).length, 0);

  // Kept for organizers: later reconciles do not retry the Service (the status stays as it is).
  const before = second.metadata.resourceVersion;
  await f.settledAfter(() => f.challengeController!.enqueueAll());
  const after = (await f.getChallenge('ch-1-bob'))!;
  assert.equal(after.metadata.resourceVersion, before, 'no status rewrite, no retry');
  assert.equal(after.status!.currentStatus!.state, 'Error');
});

test("the quota refuses a Deployment's pods (its ReplicaFailure condition): Error NamespaceQuotaExceeded", async (t) => {
  const f = await Fixture.create('podquota');
  t.after(() => f.close());
  await f.createDefinition('web', definitionSpec());
  await f.createChallenge('ch-1-carol', { user: 'carol', definition: 'web' });
  const [d] = await f.waitForDeployments('ch-1-carol', 1);
  // Plays the Deployment controller: its ReplicaSet could not create the pod (the quota admission refused it).
  const message =
    'pods "x-7d9f-abcde" is forbidden: exceeded quota: challenges, requested: count/pods=1, used: count/pods=500, limited: count/pods=500';
  await f.apps.patchNamespacedDeploymentStatus(
    {
      name: d.metadata!.name!,
      namespace: f.ns,
      body: {
        status: {
          observedGeneration: d.metadata!.generation,
          conditions: [{ type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message }],
        },
      },
    },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch)
  );
  const ch = await f.waitForState('ch-1-carol', 'Error');
  assert.equal(getCondition(ch.status, 'Ready')?.reason, 'NamespaceQuotaExceeded');
  assert.match(ch.status!.currentStatus!.errorMsg!, /cannot create its pods, the namespace's ResourceQuota is used up/);
  assert.match(ch.status!.currentStatus!.errorMsg!, /count\/pods=500/);
});
