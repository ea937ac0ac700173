import { test } from 'node:test';
import assert from 'node:assert/strict';
import { projectCustom, projectDeployment, projectPod, projectSpecOnly } from '../../src/controller/projections.ts';
import { ANNOTATION_CHALLENGE } from '../../src/api/types.ts';

const managedFields = [
  { manager: 'kubectl', operation: 'Apply', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:x': {} } } },
];
const meta = {
  name: 'ch-1',
  namespace: 'ns',
  uid: 'u1',
  resourceVersion: '7',
  generation: 2,
  creationTimestamp: '2026-01-01T00:00:00Z',
  deletionTimestamp: '2026-01-01T00:01:00Z',
  labels: { a: 'b' },
  finalizers: ['f'],
  ownerReferences: [
    { apiVersion: 'apps.hexactf.io/v1alpha1', kind: 'Challenge', name: 'c', uid: 'u0', controller: true },
  ],
  annotations: {
    [ANNOTATION_CHALLENGE]: 'c',
    'kubectl.kubernetes.io/last-applied-configuration': 'x'.repeat(10_000),
    other: 'y',
  },
  managedFields,
};

test('Challenges and definitions keep spec, status and metadata the controller reads; not managedFields or last-applied', () => {
  const p = projectCustom<{ apiVersion: string; kind: string; metadata: any; spec: any; status: any }>({
    apiVersion: 'v',
    kind: 'Challenge',
    metadata: meta,
    spec: { definition: 'd' },
    status: { currentStatus: { state: 'Running' } },
  });
  assert.deepEqual(p.spec, { definition: 'd' });
  assert.deepEqual(p.status, { currentStatus: { state: 'Running' } });
  const { managedFields: _m, annotations: _a, ...rest } = meta;
  assert.deepEqual({ ...p.metadata, annotations: undefined }, { ...rest, annotations: undefined });
  assert.deepEqual(p.metadata.annotations, { [ANNOTATION_CHALLENGE]: 'c', other: 'y' });
  assert.equal('managedFields' in p.metadata, false);
});

test('Deployments keep the spec and the availability counters; Services the spec; both only our annotation', () => {
  const spec = { replicas: 1, template: { spec: { containers: [{ name: 'a', image: 'i' }] } } };
  const d = projectDeployment({
    metadata: meta as never,
    spec,
    status: {
      observedGeneration: 2,
      replicas: 1,
      availableReplicas: 1,
      readyReplicas: 1,
      conditions: [{ type: 'Available', message: 'long' }],
    },
  });
  assert.equal(d.spec, spec);
  assert.deepEqual(d.status, { observedGeneration: 2, replicas: 1, availableReplicas: 1 });
  assert.deepEqual(d.metadata.annotations, { [ANNOTATION_CHALLENGE]: 'c' });
  assert.deepEqual(d.metadata.ownerReferences, meta.ownerReferences);
  const s = projectSpecOnly({
    metadata: meta as never,
    spec: { ports: [{ port: 80, nodePort: 30001 }] },
    status: { loadBalancer: {} },
  });
  assert.equal(s.spec.ports[0].nodePort, 30001);
  assert.equal(s.status, undefined);
});

test('Pods keep how they fail and their Challenge, not their spec', () => {
  const p = projectPod({
    metadata: meta as never,
    spec: { containers: [{ name: 'a', image: 'i', env: [{ name: 'X', value: 'y' }] }], volumes: [{ name: 'v' }] },
    status: {
      phase: 'Pending',
      reason: 'Evicted',
      hostIP: '10.0.0.1',
      initContainerStatuses: [{ name: 'init', state: { running: { startedAt: 'x' } }, imageID: 'sha' }],
      containerStatuses: [
        {
          name: 'a',
          state: { waiting: { reason: 'ErrImagePull', message: 'not found' } },
          lastState: {},
          imageID: 'sha',
        },
      ],
    },
  });
  assert.equal(p.spec, undefined);
  assert.deepEqual(p.status, {
    phase: 'Pending',
    reason: 'Evicted',
    initContainerStatuses: [{ name: 'init', state: {} }],
    containerStatuses: [{ name: 'a', state: { waiting: { reason: 'ErrImagePull', message: 'not found' } } }],
  });
  assert.equal(p.metadata.annotations?.[ANNOTATION_CHALLENGE], 'c');
});
