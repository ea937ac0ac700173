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

export async function memoryBench(n: number): Promise<void> {
  const defs = makeDefinitions();
  const defByKey = new Map(defs.map((d) => [`${d.metadata.namespace}/${d.metadata.name}`, d]));
  const challenges = makeChallenges(n);
  const children: { deployments: KubeObject[]; services: KubeObject[] } = { deployments: [], services: [] };
  challenges.forEach((ch, i) => {
    for (const c of desiredChildren(ch, defByKey.get(`${ch.metadata.namespace}/${ch.spec.definition}`)!)) {
      if (c.kind === 'NetworkPolicy') continue; // the figure is about the Deployment and Service caches
      (c.kind === 'Deployment' ? children.deployments : children.services).push(asStored(c.object, i));
    }
  });
  // Serialized to a file, as a watch delivers them: the caches hold freshly parsed objects, and the baseline
  // holds neither the templates nor the text.
  const dir = mkdtempSync(join(tmpdir(), 'hexactf-bench-'));
  const file = join(dir, 'objects.json');
  writeFileSync(file, JSON.stringify({ challenges, ...children }));
  challenges.length = 0;
  children.deployments.length = children.services.length = 0;

  const empty = settle();
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as { challenges: Challenge[]; deployments: KubeObject[]; services: KubeObject[] };
  rmSync(dir, { recursive: true, force: true });
  const caches = {
    challenges: await filledInformer<Challenge>('challenges', parsed.challenges),
    definitions: await filledInformer('definitions', defs),
    deployments: await filledInformer('deployments', parsed.deployments),
    services: await filledInformer('services', parsed.services),
  };
  const collector = new ChallengeCollector({
    challenges: () => caches.challenges.list(), get: (k) => caches.challenges.get(k),
    definitions: () => caches.definitions.list(), definition: (ns, name) => caches.definitions.get(`${ns}/${name}`),
  }, realClock, 60_000);
  let bytes = 0;
  await collector.renderTo((c) => (bytes += c.length));
  const full = settle();
  const mib = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;
  row(`memory: empty caches (baseline)`, `rss ${mib(empty.rss)}, heap used ${mib(empty.heapUsed)}`);
  row(`memory: ${n} Challenges + ${2 * n} children, metrics built`, `rss ${mib(full.rss)} (${(full.rss / empty.rss).toFixed(1)}x baseline), heap used ${mib(full.heapUsed)} (${(full.heapUsed / empty.heapUsed).toFixed(1)}x), external ${mib(full.external)}`);
  row(`memory: per Challenge (with its children and series)`, `${((full.heapUsed + full.external - empty.heapUsed - empty.external) / n / 1024).toFixed(1)} KiB heap+external; ${(bytes / 1e6).toFixed(1)} MB exposition`);
  for (const inf of Object.values(caches)) inf.stop();
}

if (import.meta.main) await memoryBench(short() ? 2000 : 10_000);
