// The resource rules (resource-policy.ts), their flags (resource-bounds.ts) and the capacity refusals (capacity.ts).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_POLICY, DefinitionRefused, type ChildPolicy } from '../../src/controller/child-policy.ts';
import { desiredChildren } from '../../src/controller/children.ts';
import { policePodTemplate } from '../../src/controller/pod-policy.ts';
import { capacityRefusal, replicaFailureForRoom } from '../../src/controller/capacity.ts';
import { projectDeployment } from '../../src/controller/projections.ts';
import { resourceBounds } from '../../src/controller/resource-bounds.ts';
import { parseFlags } from '../../src/flags.ts';
import { ApiError } from '../../src/kube/rest.ts';
import type { Challenge, ChallengeDefinition } from '../../src/api/types.ts';

const pod = (c: Record<string, unknown> = {}, spec: Record<string, unknown> = {}) => ({
  spec: { containers: [{ name: 'app', image: 'x', ...c }], ...spec },
});
const container = (t: unknown, policy: ChildPolicy = DEFAULT_POLICY) =>
  policePodTemplate(t, 'tmpl', policy).spec.containers as Array<Record<string, any>>;

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof DefinitionRefused, String(err));
    return err.message;
  }
  assert.fail('not refused');
}

describe('resource rules', () => {
  it('a container without resources gets the default limits and requests', () => {
    assert.deepEqual(container(pod())[0].resources, {
      limits: { cpu: '500m', memory: '256Mi' },
      requests: { cpu: '50m', memory: '64Mi' },
    });
  });

  it("keeps the definition's own values; a default request is capped at a lower limit", () => {
    const r = container(pod({ resources: { limits: { cpu: '20m' }, requests: { memory: '100Mi' } } }))[0].resources;
    assert.deepEqual(r, { limits: { cpu: '20m', memory: '256Mi' }, requests: { cpu: '20m', memory: '100Mi' } });
  });

  it('a defaulted limit is raised to a higher request of the container (within the bound)', () => {
    const r = container(pod({ resources: { requests: { cpu: '1', memory: '1Gi' } } }))[0].resources;
    assert.deepEqual(r, { limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '1', memory: '1Gi' } });
  });

  it('refuses requests and limits above --max-container-resources, naming the field and the bound', () => {
    assert.match(
      refusal(() => container(pod({ resources: { limits: { cpu: '3' } } }))),
      /^tmpl\.spec\.containers\[0\]\.resources\.limits\.cpu: 3 is above the operator's bound 2/
    );
    assert.match(
      refusal(() => container(pod({ resources: { requests: { memory: '3Gi' } } }))),
      /resources\.requests\.memory: 3Gi is above the operator's bound 2Gi/
    );
    assert.match(
      refusal(() => container(pod({ resources: { limits: { cpu: 'lots' } } }))),
      /not a resource quantity/
    );
    assert.match(
      refusal(() => container(pod({ resources: { claims: [{ name: 'gpu' }] } }))),
      /claims/
    );
    const init = { initContainers: [{ name: 'i', image: 'x', resources: { limits: { memory: '8Gi' } } }] };
    assert.match(
      refusal(() => container(pod({}, init))),
      /initContainers\[0\]\.resources\.limits\.memory/
    );
  });

  it('a memory-backed emptyDir needs a bounded sizeLimit; a disk one does not', () => {
    const vol = (emptyDir: unknown) => pod({}, { volumes: [{ name: 'v', emptyDir }] });
    assert.match(
      refusal(() => policePodTemplate(vol({ medium: 'Memory' }), 'tmpl')),
      /volumes\[0\]\.emptyDir\.sizeLimit: a memory-backed emptyDir needs a sizeLimit/
    );
    assert.match(
      refusal(() => policePodTemplate(vol({ medium: 'Memory', sizeLimit: '1Gi' }), 'tmpl')),
      /above the operator's bound 256Mi/
    );
    assert.ok(policePodTemplate(vol({ medium: 'Memory', sizeLimit: '64Mi' }), 'tmpl'));
    assert.ok(policePodTemplate(vol({}), 'tmpl'));
  });

  it('grace periods and preStop: bounded sleep only; the grace period is set explicitly', () => {
    assert.equal(policePodTemplate(pod(), 'tmpl').spec.terminationGracePeriodSeconds, 30);
    const short: ChildPolicy = { ...DEFAULT_POLICY, bounds: { ...DEFAULT_POLICY.bounds, maxGraceSeconds: 5 } };
    assert.equal(policePodTemplate(pod(), 'tmpl', short).spec.terminationGracePeriodSeconds, 5);
    assert.match(
      refusal(() => policePodTemplate(pod({}, { terminationGracePeriodSeconds: 31 }), 'tmpl')),
      /terminationGracePeriodSeconds: at most 30 seconds/
    );
    const probe = { livenessProbe: { tcpSocket: { port: 80 }, terminationGracePeriodSeconds: 600 } };
    assert.match(
      refusal(() => container(pod(probe))),
      /livenessProbe\.terminationGracePeriodSeconds/
    );
    assert.ok(container(pod({ lifecycle: { preStop: { sleep: { seconds: 10 } } } })));
    assert.match(
      refusal(() => container(pod({ lifecycle: { preStop: { sleep: { seconds: 31 } } } }))),
      /preStop\.sleep\.seconds/
    );
    for (const hook of [
      { exec: { command: ['sleep', '1'] } },
      { httpGet: { port: 80 } },
      { tcpSocket: { port: 80 } },
    ]) {
      assert.match(
        refusal(() => container(pod({ lifecycle: { preStop: hook } }))),
        /runs code is refused/
      );
    }
    assert.ok(container(pod({ lifecycle: { postStart: { exec: { command: ['true'] } } } })), 'postStart untouched');
  });

  it('replicas at most --max-replicas (default 1 when left out)', () => {
    const ch: Challenge = {
      metadata: {
        name: 'c',
        namespace: 'ns',
        uid: 'u',
        labels: { 'apps.hexactf.io/challengeId': '1', 'apps.hexactf.io/user': 'a' },
      },
      spec: { definition: 'd' },
    };
    const def = (replicas?: number): ChallengeDefinition => ({
      metadata: { name: 'd', namespace: 'ns' },
      spec: { components: [{ name: 'web', deployment: { spec: { replicas, template: pod() } } }] },
    });
    assert.equal(desiredChildren(ch, def()).find((c) => c.kind === 'Deployment')!.object.spec.replicas, 1);
    assert.equal(desiredChildren(ch, def(5)).find((c) => c.kind === 'Deployment')!.object.spec.replicas, 5);
    assert.match(
      refusal(() => desiredChildren(ch, def(6))),
      /^spec\.components\[web\]\.deployment\.spec\.replicas: at most 5 replicas/
    );
  });
});

describe('resource bound flags', () => {
  it('defaults, parsed values and refusals', () => {
    const f = parseFlags([], {});
    assert.deepEqual(resourceBounds(f), DEFAULT_POLICY.bounds);
    const g = parseFlags(
      ['--max-container-resources=cpu=1', '--max-replicas=2', '--max-termination-grace-period=1m'],
      {}
    );
    assert.deepEqual(resourceBounds(g).maxContainer, { cpu: '1' });
    assert.equal(resourceBounds(g).maxGraceSeconds, 60);
    assert.throws(() => parseFlags(['--default-container-limits=gpu=1'], {}), /--default-container-limits: "gpu=1"/);
    assert.throws(() => parseFlags(['--max-empty-dir-memory=big'], {}), /--max-empty-dir-memory/);
    assert.throws(() => parseFlags(['--max-replicas=0'], {}), /--max-replicas/);
  });
});

describe('capacity refusals', () => {
  const err = (code: number, message: string) => new ApiError(code, { message }, message);
  it('tells the quota and a full node-port range from other failures', () => {
    assert.equal(
      capacityRefusal(err(403, 'services "x" is forbidden: exceeded quota: q, requested: services.nodeports=1'))
        ?.reason,
      'NodePortsExhausted'
    );
    assert.equal(
      capacityRefusal(err(403, 'pods "x" is forbidden: exceeded quota: q, requested: limits.cpu=1'))?.reason,
      'NamespaceQuotaExceeded'
    );
    assert.equal(
      capacityRefusal(err(500, 'Internal error occurred: failed to allocate a nodePort: range is full'))?.reason,
      'NodePortsExhausted'
    );
    assert.equal(capacityRefusal(err(403, 'forbidden by RBAC')), undefined);
    assert.equal(capacityRefusal(err(500, 'etcdserver: request timed out')), undefined);
  });

  it("a Deployment's ReplicaFailure for the quota is kept by its projection; other failures are not", () => {
    const failing = (message: string) => ({
      metadata: { name: 'd' },
      status: { conditions: [{ type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message }] },
    });
    const quota = 'pods "p" is forbidden: exceeded quota: q, requested: count/pods=1';
    assert.equal(projectDeployment(failing(quota)).status.quotaFailure, quota);
    assert.equal(
      replicaFailureForRoom(failing('pods "p" is forbidden: unable to validate').status.conditions),
      undefined
    );
    assert.equal(projectDeployment({ metadata: { name: 'd' }, status: {} }).status.quotaFailure, undefined);
  });
});
