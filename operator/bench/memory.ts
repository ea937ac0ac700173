// The operator's memory at 10,000 Challenges, measured in-process: the operator's own Informer caches fed with
// 10,000 Challenges and their 20,000 children (Deployment + Service, built by the operator's desiredChildren()
// and given apiserver-like metadata and status), plus the /metrics collector after a scrape has built its line
// cache. Creating 30,000 objects through the test apiserver would take longer than this machine allows a
// benchmark; objects arrive in the cache through the same Informer code either way. Baseline in the same
// process: the same caches empty. Run with --expose-gc (run.ts does) so figures are after a full collection.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { realClock } from '../src/clock.ts';
import { desiredChildren } from '../src/controller/children.ts';
import { ChallengeCollector } from '../src/metrics/challenge-collector.ts';
import { projectCustom, projectDeployment, projectPod, projectService } from '../src/controller/projections.ts';
import { ANNOTATION_CHALLENGE } from '../src/api/types.ts';
import type { Challenge, KubeObject } from '../src/api/types.ts';
import { filledInformer, makeChallenges, makeDefinitions } from './fixtures.ts';
import { row, short } from './report.ts';

function settle(): NodeJS.MemoryUsage {
  const gc = (globalThis as { gc?: () => void }).gc;
  for (let i = 0; i < 3; i++) gc?.();
  return process.memoryUsage();
}

/** A child as a list/watch returns it: the desired object plus server-set metadata, managedFields and status. */
function asStored(obj: KubeObject & { spec: any }, i: number): KubeObject {
  const now = '2026-11-25T12:00:00Z';
  return {
    ...obj,
    metadata: {
      ...obj.metadata,
      uid: `10000000-0000-4000-8000-${String(i).padStart(12, '0')}`, resourceVersion: String(50_000 + i), generation: 1, creationTimestamp: now,
      managedFields: [{ manager: 'hexactf-challenge-operator', operation: 'Apply', apiVersion: obj.apiVersion, time: now, fieldsType: 'FieldsV1', fieldsV1: { 'f:metadata': { 'f:labels': Object.fromEntries(Object.keys(obj.metadata.labels ?? {}).map((k) => [`f:${k}`, {}])), 'f:ownerReferences': {} }, 'f:spec': { 'f:replicas': {}, 'f:selector': {}, 'f:template': {} } } }],
    } as KubeObject['metadata'],
    ...(obj.kind === 'Deployment'
      ? { status: { observedGeneration: 1, replicas: 1, updatedReplicas: 1, readyReplicas: 1, availableReplicas: 1, conditions: [{ type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.', lastUpdateTime: now, lastTransitionTime: now }] } }
      : { spec: { ...obj.spec, clusterIP: `10.0.${(i >> 8) & 255}.${i & 255}`, clusterIPs: [`10.0.${(i >> 8) & 255}.${i & 255}`], ports: obj.spec.ports.map((p: object) => ({ ...p, protocol: 'TCP', nodePort: 30000 + (i % 2768) })) }, status: { loadBalancer: {} } }),
  } as KubeObject;
}

/** The pod a Deployment's ReplicaSet makes, as a watch delivers it: defaulted spec, service-account volume, status. */
function podOf(d: KubeObject & { spec: any }, i: number): KubeObject {
  const now = '2026-11-25T12:00:00Z';
  const tmpl = d.spec.template;
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: {
      name: `${d.metadata.name}-7d9f8c6b5-${String(i).padStart(5, '0')}`, namespace: d.metadata.namespace, uid: `20000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      resourceVersion: String(90_000 + i), creationTimestamp: now, labels: { ...tmpl.metadata?.labels, 'pod-template-hash': '7d9f8c6b5' },
      annotations: { ...tmpl.metadata?.annotations },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `${d.metadata.name}-7d9f8c6b5`, uid: `30000000-0000-4000-8000-${String(i).padStart(12, '0')}`, controller: true, blockOwnerDeletion: true }],
      managedFields: [{ manager: 'kube-controller-manager', operation: 'Update', apiVersion: 'v1', time: now, fieldsType: 'FieldsV1', fieldsV1: { 'f:metadata': { 'f:labels': {}, 'f:ownerReferences': {} }, 'f:spec': { 'f:containers': {} } } },
        { manager: 'kubelet', operation: 'Update', apiVersion: 'v1', time: now, fieldsType: 'FieldsV1', subresource: 'status', fieldsV1: { 'f:status': { 'f:conditions': {}, 'f:containerStatuses': {}, 'f:podIP': {} } } }],
    } as KubeObject['metadata'],
    spec: {
      ...tmpl.spec,
      containers: tmpl.spec.containers.map((c: object) => ({ ...c, imagePullPolicy: 'IfNotPresent', terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File', volumeMounts: [{ name: 'kube-api-access-x7k2p', readOnly: true, mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' }] })),
      restartPolicy: 'Always', terminationGracePeriodSeconds: 30, dnsPolicy: 'ClusterFirst', serviceAccountName: 'default', serviceAccount: 'default', nodeName: 'node-1', securityContext: {}, schedulerName: 'default-scheduler', priority: 0, enableServiceLinks: true, preemptionPolicy: 'PreemptLowerPriority',
      tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }, { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }],
      volumes: [{ name: 'kube-api-access-x7k2p', projected: { sources: [{ serviceAccountToken: { expirationSeconds: 3607, path: 'token' } }, { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } }, { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } }], defaultMode: 420 } }],
    },
    status: {
      phase: 'Running', hostIP: '10.0.0.1', podIP: `10.244.${(i >> 8) & 255}.${i & 255}`, startTime: now, qosClass: 'Burstable',
      conditions: ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map((type) => ({ type, status: 'True', lastProbeTime: null, lastTransitionTime: now })),
      containerStatuses: tmpl.spec.containers.map((c: { name: string; image: string }) => ({ name: c.name, state: { running: { startedAt: now } }, lastState: {}, ready: true, restartCount: 0, image: c.image, imageID: `docker.io/library/${c.image}@sha256:${'a'.repeat(64)}`, containerID: `containerd://${'b'.repeat(64)}`, started: true })),
    },
  } as KubeObject;
}

export async function memoryBench(n: number): Promise<void> {
  const defs = makeDefinitions();
  const defByKey = new Map(defs.map((d) => [`${d.metadata.namespace}/${d.metadata.name}`, d]));
  const challenges = makeChallenges(n);
  const children: { deployments: KubeObject[]; services: KubeObject[]; pods: KubeObject[] } = { deployments: [], services: [], pods: [] };
  challenges.forEach((ch, i) => {
    for (const c of desiredChildren(ch, defByKey.get(`${ch.metadata.namespace}/${ch.spec.definition}`)!)) {
      const stored = asStored(c.object, i);
      (c.kind === 'Deployment' ? children.deployments : children.services).push(stored);
      if (c.kind === 'Deployment') children.pods.push(podOf(c.object, i));
    }
    // What the apiserver adds to a Challenge: managedFields of the creator and of the operator's status writes.
    (ch.metadata as unknown as Record<string, unknown>).managedFields = [
      { manager: 'hexactf-web', operation: 'Update', apiVersion: 'apps.hexactf.io/v1alpha1', time: ch.metadata.creationTimestamp, fieldsType: 'FieldsV1', fieldsV1: { 'f:metadata': { 'f:labels': { [`f:${ANNOTATION_CHALLENGE}`]: {} } }, 'f:spec': { '.': {}, 'f:definition': {} } } },
      { manager: 'hexactf-challenge-operator', operation: 'Update', apiVersion: 'apps.hexactf.io/v1alpha1', time: ch.metadata.creationTimestamp, fieldsType: 'FieldsV1', subresource: 'status', fieldsV1: { 'f:status': { '.': {}, 'f:conditions': {}, 'f:currentStatus': { '.': {}, 'f:errorMsg': {}, 'f:state': {} }, 'f:endpoint': {}, 'f:isOne': {}, 'f:observedGeneration': {}, 'f:startedAt': {} } } },
    ];
  });
  // Serialized to a file, as a watch delivers them: the caches hold freshly parsed objects, and the baseline
  // holds neither the templates nor the text.
  const dir = mkdtempSync(join(tmpdir(), 'hexactf-bench-'));
  const file = join(dir, 'objects.json');
  writeFileSync(file, JSON.stringify({ challenges, ...children }));
  challenges.length = 0;
  children.deployments.length = children.services.length = children.pods.length = 0;

  const empty = settle();
  // The operator's caches (each object through its projection); then, for comparison, the same objects cached whole.
  const load = () => JSON.parse(readFileSync(file, 'utf8')) as { challenges: Challenge[]; deployments: KubeObject[]; services: KubeObject[]; pods: KubeObject[] };
  const parsed = load();
  const caches = {
    challenges: await filledInformer<Challenge>('challenges', parsed.challenges, projectCustom),
    definitions: await filledInformer('definitions', defs, projectCustom),
    deployments: await filledInformer('deployments', parsed.deployments, projectDeployment),
    services: await filledInformer('services', parsed.services, projectService),
    pods: await filledInformer('pods', parsed.pods, projectPod),
  };
  parsed.challenges = parsed.deployments = parsed.services = parsed.pods = [];
  const collector = new ChallengeCollector({
    challenges: () => caches.challenges.list(), get: (k) => caches.challenges.get(k),
    definitions: () => caches.definitions.list(), definition: (ns, name) => caches.definitions.get(`${ns}/${name}`),
  }, realClock, 60_000);
  let bytes = 0;
  await collector.renderTo((c) => (bytes += c.length));
  const full = settle();
  const whole = load();
  const wholeCaches = [
    await filledInformer('challenges', whole.challenges), await filledInformer('deployments', whole.deployments),
    await filledInformer('services', whole.services), await filledInformer('pods', whole.pods),
  ];
  Object.assign(whole, { challenges: [], deployments: [], services: [], pods: [] });
  const both = settle();
  rmSync(dir, { recursive: true, force: true });
  const wholeHeap = both.heapUsed - full.heapUsed;
  const mib = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;
  const objects = `${n} Challenges + ${3 * n} children`;
  row(`memory: empty caches (baseline)`, `rss ${mib(empty.rss)}, heap used ${mib(empty.heapUsed)}`);
  row(`memory: ${objects}, metrics built (target rss <= 400 MiB)`, `rss ${mib(full.rss)} (${full.rss <= 400 * 2 ** 20 ? 'met' : 'NOT met'}; ${(full.rss / empty.rss).toFixed(1)}x baseline), heap used ${mib(full.heapUsed)}, external ${mib(full.external)}, array buffers ${mib(full.arrayBuffers)}`);
  row(`memory: heap of the cached objects, projected vs whole`, `${mib(full.heapUsed - empty.heapUsed)} vs ${mib(wholeHeap)} (${((full.heapUsed - empty.heapUsed) / wholeHeap).toFixed(2)}x)`);
  row(`memory: per Challenge (with its children and series)`, `${((full.heapUsed + full.external - empty.heapUsed - empty.external) / n / 1024).toFixed(1)} KiB heap+external; ${(bytes / 1e6).toFixed(1)} MB exposition`);
  for (const inf of [...Object.values(caches), ...wholeCaches]) inf.stop();
}

if (import.meta.main) await memoryBench(short() ? 2000 : 10_000);
