// What the chart puts into each challenge namespace besides the namespace itself: a default-deny NetworkPolicy, a
// LimitRange and a ResourceQuota, and the operator's resource-bound flags from the same values.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseFlags } from '../../src/flags.ts';
import { resourceBounds } from '../../src/controller/resource-bounds.ts';
import { DEFAULT_POLICY } from '../../src/controller/child-policy.ts';
import { findObject, renderChart, type K8sObject } from './helm.ts';

const NAMESPACES = ['ch-a', 'ch-b'];
const render = (set: string[] = []) => renderChart({ set: [`challengeNamespaces={${NAMESPACES.join(',')}}`, ...set] });
const inNamespaces = (objs: K8sObject[], kind: string) =>
  objs.filter((o) => o.kind === kind && NAMESPACES.includes(o.metadata.namespace ?? ''));
const operatorArgs = (objs: K8sObject[]): string[] =>
  findObject(objs, 'Deployment').spec.template.spec.containers[0].args;

describe('challenge namespaces', () => {
  it('get a default-deny NetworkPolicy for ingress and egress of every pod', () => {
    const policies = inNamespaces(render(), 'NetworkPolicy');
    assert.deepEqual(policies.map((p) => p.metadata.namespace).sort(), NAMESPACES);
    for (const p of policies) {
      assert.deepEqual(p.spec, { podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    }
    assert.equal(inNamespaces(render(['isolation.namespaceDefaultDeny=false']), 'NetworkPolicy').length, 0);
    assert.equal(inNamespaces(render(['isolation.enabled=false']), 'NetworkPolicy').length, 0, 'no per-instance allow');
  });

  it('get a LimitRange with the defaults and maxima of challengeResources', () => {
    const ranges = inNamespaces(render(), 'LimitRange');
    assert.equal(ranges.length, 2);
    assert.deepEqual(ranges[0].spec.limits, [
      {
        type: 'Container',
        default: { cpu: '500m', memory: '256Mi' },
        defaultRequest: { cpu: '50m', memory: '64Mi' },
        max: { cpu: '2', memory: '2Gi' },
      },
    ]);
    const custom = inNamespaces(render(['challengeResources.maxContainer.cpu=1']), 'LimitRange')[0];
    assert.equal(String(custom.spec.limits[0].max.cpu), '1');
    assert.equal(inNamespaces(render(['challengeResources.limitRange.enabled=false']), 'LimitRange').length, 0);
  });

  it('get a ResourceQuota with pods, CPU, memory, Services and node ports, configurable', () => {
    const [quota] = inNamespaces(render(), 'ResourceQuota');
    for (const key of ['count/pods', 'limits.cpu', 'limits.memory', 'requests.cpu', 'requests.memory']) {
      assert.ok(quota.spec.hard[key], key);
    }
    assert.equal(quota.spec.hard['services.nodeports'], '500');
    assert.equal(quota.spec.hard['services.loadbalancers'], '0', 'no LoadBalancer without the opt-in');
    const lb = inNamespaces(render(['childPolicy.allowLoadBalancer=true']), 'ResourceQuota')[0];
    assert.equal(lb.spec.hard['services.loadbalancers'], undefined);
    const set = inNamespaces(render(['challengeResources.quota.hard.services\\.nodeports=1']), 'ResourceQuota')[0];
    assert.equal(set.spec.hard['services.nodeports'], '1');
    assert.equal(inNamespaces(render(['challengeResources.quota.enabled=false']), 'ResourceQuota').length, 0);
  });

  it('none of these in cluster-wide mode (no namespace list)', () => {
    const objs = renderChart({ set: ['rbac.clusterWide=true'] });
    assert.equal(objs.filter((o) => ['LimitRange', 'ResourceQuota'].includes(o.kind)).length, 0);
  });

  it("the operator's resource-bound flags come from the same values, and their defaults are the operator's", () => {
    const args = operatorArgs(render());
    const bounds = resourceBounds(
      parseFlags(
        args.filter((a) => a.startsWith('--') && !a.startsWith('--kubeconfig')),
        {}
      )
    );
    assert.deepEqual(bounds, DEFAULT_POLICY.bounds);
    const custom = operatorArgs(
      render(['challengeResources.maxReplicas=2', 'challengeResources.maxEmptyDirMemory=1Gi'])
    );
    assert.ok(custom.includes('--max-replicas=2'));
    assert.ok(custom.includes('--max-empty-dir-memory=1Gi'));
  });

  it('the resources admission policy carries the bounds', () => {
    const vap = findObject(
      render(['challengeResources.maxReplicas=3']),
      'ValidatingAdmissionPolicy',
      'hexactf-challenge-operator-resources'
    );
    const text = JSON.stringify(vap.spec);
    assert.match(text, /object.spec.replicas <= 3/);
    assert.match(text, /quantity\('2Gi'\)/);
  });
});
