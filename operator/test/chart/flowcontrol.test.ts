// templates/flowcontrol.yaml: the operator's ServiceAccount bounded by the apiserver's API Priority and Fairness
// instead of a client-side limit. Rendered (what matches what, in which order, with which values), and created for
// real on the test apiserver (APF on), which must accept every object and report the levels' seats.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { KubernetesObjectApi, type KubernetesObject } from '@kubernetes/client-node';
import { waitFor } from '@hexactf/testing/wait';
import { parseFlags } from '../../src/flags.ts';
import { useTestEnv, type TestEnv } from '../support/test-env.ts';
import { createTestNamespace } from '../support/cluster-setup.ts';
import { findObject, renderChart, type K8sObject } from './helm.ts';
import { create } from './kube.ts';
import { apfSnapshot } from '../stress/request-path.ts';

const FLOW_KINDS = ['FlowSchema', 'PriorityLevelConfiguration'];
const flowObjects = (objs: K8sObject[]) => objs.filter((o) => FLOW_KINDS.includes(o.kind));

describe('flowcontrol.yaml, rendered', () => {
  const objs = renderChart({ release: 'r', namespace: 'ops' });
  const byName = (kind: string, name: string) => findObject(objs, kind, name);

  it("matches the ServiceAccount's Lease requests first, into a level of their own that lends nothing", () => {
    const leases = byName('FlowSchema', 'r-challenge-operator-leader-election');
    const rest = byName('FlowSchema', 'r-challenge-operator');
    assert.ok(leases.spec.matchingPrecedence < rest.spec.matchingPrecedence);
    assert.equal(leases.spec.priorityLevelConfiguration.name, 'r-challenge-operator-leader-election');
    const sa = { kind: 'ServiceAccount', serviceAccount: { name: 'r-challenge-operator', namespace: 'ops' } };
    assert.deepEqual(leases.spec.rules[0].subjects, [sa]);
    assert.deepEqual(leases.spec.rules[0].resourceRules, [
      {
        verbs: ['get', 'create', 'update'],
        apiGroups: ['coordination.k8s.io'],
        resources: ['leases'],
        namespaces: ['ops'],
      },
    ]);
    const level = byName('PriorityLevelConfiguration', 'r-challenge-operator-leader-election');
    assert.equal(level.spec.type, 'Limited');
    assert.equal(level.spec.limited.lendablePercent, 0);
  });

  it('puts every other request of the ServiceAccount in a Limited level with queuing, flows by namespace', () => {
    const rest = byName('FlowSchema', 'r-challenge-operator');
    assert.equal(rest.spec.distinguisherMethod.type, 'ByNamespace');
    assert.ok(rest.spec.matchingPrecedence < 9000, "before the built-in 'service-accounts' schema");
    assert.deepEqual(rest.spec.rules[0].resourceRules[0].verbs, ['*']);
    assert.deepEqual(rest.spec.rules[0].nonResourceRules[0].nonResourceURLs, ['*']);
    const level = byName('PriorityLevelConfiguration', 'r-challenge-operator').spec.limited;
    assert.equal(level.nominalConcurrencyShares, 10);
    assert.deepEqual(level.limitResponse, {
      type: 'Queue',
      queuing: { queues: 16, handSize: 4, queueLengthLimit: 100 },
    });
  });

  it('sizes from values; an existing level for the Lease; none when disabled; no client-side limit by default', () => {
    const sized = renderChart({
      set: ['flowControl.requests.nominalConcurrencyShares=40', 'flowControl.leases.priorityLevel=leader-election'],
    });
    assert.equal(
      findObject(sized, 'PriorityLevelConfiguration', 'hexactf-challenge-operator').spec.limited
        .nominalConcurrencyShares,
      40
    );
    assert.deepEqual(
      flowObjects(sized)
        .map((o) => `${o.kind}/${o.metadata.name}`)
        .sort(),
      [
        'FlowSchema/hexactf-challenge-operator',
        'FlowSchema/hexactf-challenge-operator-leader-election',
        'PriorityLevelConfiguration/hexactf-challenge-operator',
      ]
    );
    assert.equal(
      findObject(sized, 'FlowSchema', 'hexactf-challenge-operator-leader-election').spec.priorityLevelConfiguration
        .name,
      'leader-election'
    );
    assert.deepEqual(flowObjects(renderChart({ set: ['flowControl.enabled=false'] })), []);
    const args = findObject(objs, 'Deployment').spec.template.spec.containers[0].args;
    assert.equal(parseFlags(args, {}).kubeApiQps, -1);
    assert.throws(() => renderChart({ set: ['flowControl.requests.queues=0'] }), /schema/);
  });

  it('passes the renew deadline, retry period and the metrics reviews budget to the operator', () => {
    const led = renderChart({ set: ['operator.leaderElect=true'] });
    const f = parseFlags(findObject(led, 'Deployment').spec.template.spec.containers[0].args, {});
    assert.deepEqual([f.leaseDurationMs, f.renewDeadlineMs, f.retryPeriodMs], [15_000, 10_000, 2_000]);
    assert.deepEqual(
      [f.metricsAuthMaxInflight, f.metricsAuthCacheTtlMs, f.metricsAuthNegativeCacheTtlMs, f.metricsAuthCacheSize],
      [8, 60_000, 10_000, 1024]
    );
  });
});

describe('flowcontrol.yaml, on the real apiserver', () => {
  let env: TestEnv;
  before(async () => {
    env = await useTestEnv();
  });
  after(async () => env?.stop());

  it('creates every object, and the apiserver gives both levels seats', async () => {
    const ns = await createTestNamespace(env.kubeConfig, 'chart-apf');
    const objs = flowObjects(renderChart({ release: ns, namespace: ns }));
    assert.equal(objs.length, 4);
    for (const obj of objs) {
      await create(env.kubeConfig, obj as KubernetesObject);
    }
    const levels = [`${ns}-challenge-operator`, `${ns}-challenge-operator-leader-election`];
    const seats = await waitFor(
      'the apiserver configured both levels',
      async () => {
        const s = await apfSnapshot(env, levels);
        return levels.every((l) => (s.limitSeats[l] ?? 0) > 0) && s.limitSeats;
      },
      15_000,
      250
    );
    process.stderr.write(`# nominal seats: ${JSON.stringify(seats)}\n`);
    const api = KubernetesObjectApi.makeApiClient(env.kubeConfig);
    for (const obj of objs) {
      await api.delete(obj as KubernetesObject);
    }
  });
});
