// Objects as the apiserver stores and lists them, for the memory benchmark (memory.ts): the operator's desired
// children with server-set metadata, managedFields and status added, and the pod a Deployment's ReplicaSet makes.
import type { KubeObject } from '../src/api/types.ts';

/** A child as a list/watch returns it: the desired object plus server-set metadata, managedFields and status. */
export function asStored(obj: KubeObject & { spec: any }, i: number): KubeObject {
  const now = '2026-11-25T12:00:00Z';
  return {
    ...obj,
    metadata: {
      ...obj.metadata,
      uid: `10000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      resourceVersion: String(50_000 + i),
      generation: 1,
      creationTimestamp: now,
      managedFields: [
        {
          manager: 'hexactf-challenge-operator',
          operation: 'Apply',
          apiVersion: obj.apiVersion,
          time: now,
          fieldsType: 'FieldsV1',
          fieldsV1: {
            'f:metadata': {
              'f:labels': Object.fromEntries(Object.keys(obj.metadata.labels ?? {}).map((k) => [`f:${k}`, {}])),
              'f:ownerReferences': {},
            },
            'f:spec': { 'f:replicas': {}, 'f:selector': {}, 'f:template': {} },
          },
        },
      ],
    } as KubeObject['metadata'],
    ...(obj.kind === 'Deployment'
      ? {
          status: {
            observedGeneration: 1,
            replicas: 1,
            updatedReplicas: 1,
            readyReplicas: 1,
            availableReplicas: 1,
            conditions: [
              {
                type: 'Available',
                status: 'True',
                reason: 'MinimumReplicasAvailable',
                message: 'Deployment has minimum availability.',
                lastUpdateTime: now,
                lastTransitionTime: now,
              },
            ],
          },
        }
      : {
          spec: {
            ...obj.spec,
            clusterIP: `10.0.${(i >> 8) & 255}.${i & 255}`,
            clusterIPs: [`10.0.${(i >> 8) & 255}.${i & 255}`],
            ports: obj.spec.ports.map((p: object) => ({ ...p, protocol: 'TCP', nodePort: 30000 + (i % 2768) })),
          },
          status: { loadBalancer: {} },
        }),
  } as KubeObject;
}

/** The pod a Deployment's ReplicaSet makes, as a watch delivers it: defaulted spec, service-account volume, status. */
export function podOf(d: KubeObject & { spec: any }, i: number): KubeObject {
  const now = '2026-11-25T12:00:00Z';
  const tmpl = d.spec.template;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `${d.metadata.name}-7d9f8c6b5-${String(i).padStart(5, '0')}`,
      namespace: d.metadata.namespace,
      uid: `20000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      resourceVersion: String(90_000 + i),
      creationTimestamp: now,
      labels: { ...tmpl.metadata?.labels, 'pod-template-hash': '7d9f8c6b5' },
      annotations: { ...tmpl.metadata?.annotations },
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          name: `${d.metadata.name}-7d9f8c6b5`,
          uid: `30000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
      managedFields: [
        {
          manager: 'kube-controller-manager',
          operation: 'Update',
          apiVersion: 'v1',
          time: now,
          fieldsType: 'FieldsV1',
          fieldsV1: { 'f:metadata': { 'f:labels': {}, 'f:ownerReferences': {} }, 'f:spec': { 'f:containers': {} } },
        },
        {
          manager: 'kubelet',
          operation: 'Update',
          apiVersion: 'v1',
          time: now,
          fieldsType: 'FieldsV1',
          subresource: 'status',
          fieldsV1: { 'f:status': { 'f:conditions': {}, 'f:containerStatuses': {}, 'f:podIP': {} } },
        },
      ],
    } as KubeObject['metadata'],
    spec: {
      ...tmpl.spec,
      containers: tmpl.spec.containers.map((c: object) => ({
        ...c,
        imagePullPolicy: 'IfNotPresent',
        terminationMessagePath: '/dev/termination-log',
        terminationMessagePolicy: 'File',
        volumeMounts: [
          { name: 'kube-api-access-x7k2p', readOnly: true, mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' },
        ],
      })),
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      dnsPolicy: 'ClusterFirst',
      serviceAccountName: 'default',
      serviceAccount: 'default',
      nodeName: 'node-1',
      securityContext: {},
      schedulerName: 'default-scheduler',
      priority: 0,
      enableServiceLinks: true,
      preemptionPolicy: 'PreemptLowerPriority',
      tolerations: [
        { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
        { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      ],
      volumes: [
        {
          name: 'kube-api-access-x7k2p',
          projected: {
            sources: [
              { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
              { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
              {
                downwardAPI: {
                  items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }],
                },
              },
            ],
            defaultMode: 420,
          },
        },
      ],
    },
    status: {
      phase: 'Running',
      hostIP: '10.0.0.1',
      podIP: `10.244.${(i >> 8) & 255}.${i & 255}`,
      startTime: now,
      qosClass: 'Burstable',
      conditions: ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map(
        (type) => ({ type, status: 'True', lastProbeTime: null, lastTransitionTime: now })
      ),
      containerStatuses: tmpl.spec.containers.map((c: { name: string; image: string }) => ({
        name: c.name,
        state: { running: { startedAt: now } },
        lastState: {},
        ready: true,
        restartCount: 0,
        image: c.image,
        imageID: `docker.io/library/${c.image}@sha256:${'a'.repeat(64)}`,
        containerID: `containerd://${'b'.repeat(64)}`,
        started: true,
      })),
    },
  } as KubeObject;
}
