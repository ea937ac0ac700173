// Challenge authors against the operator, on the real apiserver: every escalation in escalations.ts (a
// ChallengeDefinition as a cluster takeover), written into a ChallengeDefinition, puts its Challenge in Error naming
// the field and creates nothing; a harmless definition's children carry the forced security settings (read back
// from the apiserver).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { NetworkingV1Api } from '@kubernetes/client-node';
import { getCondition } from '../../src/controller/status.ts';
import type { ChallengeDefinition } from '../../src/api/types.ts';
import { Fixture, definitionSpec } from '../integration/harness.ts';
import { POD_ESCALATIONS, SERVICE_ESCALATIONS, TEMPLATE_ESCALATIONS } from './escalations.ts';

describe('ChallengeDefinitions are policed', () => {
  let f: Fixture;
  before(async () => {
    f = await Fixture.create('policy');
  });
  after(async () => f?.close());

  const cases: Array<[string, (spec: ChallengeDefinition['spec']) => void, string]> = [
    ...POD_ESCALATIONS.map(([what, mutate, field]): [string, (spec: ChallengeDefinition['spec']) => void, string] => [
      what,
      (spec) => mutate(spec.components[0].deployment.spec.template.spec),
      `spec.components[web].deployment.spec.template.${field}`,
    ]),
    ...TEMPLATE_ESCALATIONS.map(
      ([what, mutate, field]): [string, (spec: ChallengeDefinition['spec']) => void, string] => [
        what,
        (spec) => mutate(spec.components[0].deployment.spec.template),
        `spec.components[web].deployment.spec.template.${field}`,
      ]
    ),
    ...SERVICE_ESCALATIONS.map(
      ([what, patch, field]): [string, (spec: ChallengeDefinition['spec']) => void, string] => [
        what,
        (spec) => Object.assign(spec.components[0].service!.spec, patch),
        `spec.components[web].service.${field}`,
      ]
    ),
  ];

  it('every escalation ends in Error DefinitionRefused, naming the field, with no child created', async () => {
    let i = 0;
    const started: Array<[string, string, string]> = [];
    for (const [what, mutate, field] of cases) {
      const spec = definitionSpec();
      mutate(spec);
      const name = `bad-${i++}`;
      await f.createDefinition(name, spec);
      await f.createChallenge(`ch-${name}`, { user: `u${i}`, definition: name });
      started.push([what, `ch-${name}`, field]);
    }
    for (const [what, name, field] of started) {
      const ch = await f.waitForState(name, 'Error');
      const ready = getCondition(ch.status, 'Ready');
      assert.equal(ready?.reason, 'DefinitionRefused', `${what}: ${ready?.message}`);
      assert.ok(
        ch.status!.currentStatus!.errorMsg!.includes(field),
        `${what}: "${ch.status!.currentStatus!.errorMsg}" should name ${field}`
      );
    }
    assert.deepEqual(await f.allChildren(), [], 'no Deployment or Service was created for a refused definition');
    const policies = await f.kc.makeApiClient(NetworkingV1Api).listNamespacedNetworkPolicy({ namespace: f.ns });
    assert.deepEqual(policies.items, [], 'nor a NetworkPolicy');
  });

  it("a harmless definition's children carry the forced securityContext, no token, no service links, and their NetworkPolicy", async () => {
    await f.createDefinition('good', definitionSpec());
    await f.createChallenge('ch-good', { user: 'alice', definition: 'good' });
    const [dep] = await f.waitForDeployments('ch-good', 1);
    const pod = dep.spec!.template.spec!;
    assert.equal(pod.automountServiceAccountToken, false);
    assert.equal(pod.enableServiceLinks, false);
    assert.equal(pod.hostNetwork ?? false, false);
    assert.equal(pod.serviceAccountName ?? 'default', 'default');
    assert.equal(pod.securityContext?.runAsNonRoot, true);
    assert.equal(pod.securityContext?.seccompProfile?.type, 'RuntimeDefault');
    const ch = (await f.getChallenge('ch-good'))!;
    const net = f.kc.makeApiClient(NetworkingV1Api);
    const policies = (
      await net.listNamespacedNetworkPolicy({
        namespace: f.ns,
        labelSelector: `apps.hexactf.io/owner-uid=${ch.metadata.uid}`,
      })
    ).items;
    assert.equal(policies.length, 1, 'one NetworkPolicy per instance');
    assert.deepEqual(policies[0].spec!.podSelector!.matchLabels, { 'apps.hexactf.io/owner-uid': ch.metadata.uid });
    assert.deepEqual(policies[0].spec!.policyTypes, ['Ingress', 'Egress']);
    assert.equal(policies[0].metadata!.ownerReferences![0].uid, ch.metadata.uid);
    assert.equal(
      dep.spec!.template.metadata!.labels!['apps.hexactf.io/owner-uid'],
      ch.metadata.uid,
      'the pods carry the label it selects'
    );
    await f.deleteChallenge('ch-good');
    await f.waitForGone('ch-good');
    assert.deepEqual(
      (
        await net.listNamespacedNetworkPolicy({
          namespace: f.ns,
          labelSelector: `apps.hexactf.io/owner-uid=${ch.metadata.uid}`,
        })
      ).items,
      [],
      'removed with the instance'
    );
    for (const c of pod.containers) {
      assert.equal(c.securityContext?.allowPrivilegeEscalation, false);
      assert.equal(c.securityContext?.privileged, false);
      assert.deepEqual({ ...c.securityContext?.capabilities }, { drop: ['ALL'] });
      assert.equal(c.securityContext?.seccompProfile?.type, 'RuntimeDefault');
    }
  });
});

describe('the jail opt-in (--allowed-capabilities)', () => {
  let f: Fixture;
  before(async () => {
    f = await Fixture.create('policy-jail', { allowedCapabilities: 'SYS_ADMIN' });
  });
  after(async () => f?.close());

  it('renders an allowed capability (root allowed for that container), still refuses host access', async () => {
    await f.createDefinition(
      'jail',
      definitionSpec({ containerExtra: { securityContext: { runAsUser: 0, capabilities: { add: ['SYS_ADMIN'] } } } })
    );
    await f.createChallenge('ch-jail', { user: 'alice', definition: 'jail' });
    const [dep] = await f.waitForDeployments('ch-jail', 1);
    const sc = dep.spec!.template.spec!.containers[0].securityContext!;
    assert.deepEqual({ ...sc.capabilities }, { drop: ['ALL'], add: ['SYS_ADMIN'] });
    assert.equal(sc.runAsNonRoot, false);
    assert.equal(sc.allowPrivilegeEscalation, false);

    const spec = definitionSpec({ containerExtra: { securityContext: { capabilities: { add: ['SYS_ADMIN'] } } } });
    spec.components[0].deployment.spec.template.spec.hostPID = true;
    await f.createDefinition('jail-host', spec);
    await f.createChallenge('ch-jail-host', { user: 'bob', definition: 'jail-host' });
    const ch = await f.waitForState('ch-jail-host', 'Error');
    assert.match(ch.status!.currentStatus!.errorMsg!, /template\.spec\.hostPID/);
  });
});

describe("--namespace with several namespaces (the chart's namespaced RBAC)", () => {
  let a: Fixture;
  let b: Fixture;
  before(async () => {
    a = await Fixture.create('multi-a', {}, false);
    b = await Fixture.create('multi-b', {}, false);
    await a.startManager({ namespace: `${a.ns},${b.ns}` });
  });
  after(async () => a?.close());

  it('one operator converges Challenges in each listed namespace', async () => {
    for (const f of [a, b]) {
      await f.createDefinition('web', definitionSpec());
      await f.createChallenge('ch-1', { user: 'alice', definition: 'web' });
    }
    for (const f of [a, b]) {
      assert.equal((await f.waitForDeployments('ch-1', 1))[0].metadata!.namespace, f.ns);
    }
  });
});
