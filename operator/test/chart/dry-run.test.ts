// The manifests the chart renders, accepted by a real kube-apiserver (server-side dry run: validation, defaulting
// and admission, nothing stored), with Prometheus Operator's CRDs (test stand-ins, see fixtures/monitoring-crds/)
// and the chart's own CRDs installed. The demo manifests of the local stack go through the same check.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { KubernetesObjectApi, type KubernetesObject } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { useTestEnv, type TestEnv } from '../support/test-env.ts';
import { createTestNamespace } from '../support/cluster-setup.ts';
import { allOnValues, chartDir, helm, renderChart, type K8sObject } from './helm.ts';
import { dryRunCreate, monitoringCrdDir, statusOf } from './kube.ts';

const repo = resolve(import.meta.dirname, '../../..');
let env: TestEnv;

before(async () => {
  env = await useTestEnv();
  await env.installCrds();
  await env.installCrds(monitoringCrdDir);
});
after(async () => env?.stop());

async function createNamespaces(objs: K8sObject[]): Promise<void> {
  for (const obj of objs.filter((o) => o.kind === 'Namespace')) {
    await KubernetesObjectApi.makeApiClient(env.kubeConfig).create(obj as KubernetesObject);
  }
}

async function dryRunAll(objs: K8sObject[]): Promise<string[]> {
  const accepted: string[] = [];
  for (const obj of objs) {
    try {
      const out = await dryRunCreate(env.kubeConfig, obj as KubernetesObject);
      assert.equal(out.metadata?.name, obj.metadata.name);
      accepted.push(`${obj.kind}/${obj.metadata.name}`);
    } catch (err) {
      throw new Error(`${obj.kind} ${obj.metadata.name} refused (${statusOf(err)}): ${(err as Error).message}`);
    }
  }
  return accepted;
}

describe('server-side dry run of the rendered chart', () => {
  it('accepts every object with the default values, and stores none', async () => {
    const ns = await createTestNamespace(env.kubeConfig, 'chart-default');
    const objs = renderChart({ release: ns, namespace: ns, set: [`challengeNamespaces={${ns}-ch}`] });
    // The challenge namespace is created for real first: the Role inside it could not be dry-run otherwise.
    await createNamespaces(objs);
    assert.equal((await dryRunAll(objs.filter((o) => o.kind !== 'Namespace'))).length, objs.length - 1);
    // Dry run really stored nothing.
    const api = KubernetesObjectApi.makeApiClient(env.kubeConfig);
    await assert.rejects(
      api.read({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: `${ns}-challenge-operator`, namespace: ns },
      }),
      (e) => statusOf(e) === 404
    );
  });

  it('accepts every object with every toggle on (ServiceMonitor, PrometheusRule, namespaced RBAC, leader election)', async () => {
    const [ns, monitoring] = [
      await createTestNamespace(env.kubeConfig, 'chart-all-on'),
      await createTestNamespace(env.kubeConfig, 'chart-monitoring'),
    ];
    const objs = renderChart({
      release: ns,
      namespace: ns,
      valuesFiles: [allOnValues],
      // Test namespaces instead of the fixed ones in the values file; a nodePort no other test asks for.
      set: [
        `challengeNamespaces={${ns}-ctf,${ns}-pwn}`,
        `serviceMonitor.namespace=${monitoring}`,
        `prometheusRule.namespace=${monitoring}`,
        'metrics.service.nodePort=30999',
      ],
    });
    await createNamespaces(objs);
    const accepted = await dryRunAll(objs.filter((o) => o.kind !== 'Namespace'));
    for (const kind of [
      'ServiceMonitor',
      'PrometheusRule',
      'Role',
      'RoleBinding',
      'Deployment',
      'Service',
      'ValidatingAdmissionPolicy',
      'ValidatingAdmissionPolicyBinding',
    ]) {
      assert.ok(
        accepted.some((a) => a.startsWith(kind + '/')),
        `${kind} missing from ${accepted.join(', ')}`
      );
    }
  });

  it('refuses what a wrong value renders (so the dry run is a real check)', async () => {
    const ns = await createTestNamespace(env.kubeConfig, 'chart-bad');
    const badCpu = renderChart({ release: ns, namespace: ns, set: ['resources.requests.cpu=lots'] }).find(
      (o) => o.kind === 'Deployment'
    )!;
    await assert.rejects(
      dryRunCreate(env.kubeConfig, badCpu as KubernetesObject),
      (e) => statusOf(e) === 422 || statusOf(e) === 400
    );
    // values.schema.json cannot know DNS rules for names; the apiserver does.
    const badName = renderChart({
      release: ns,
      namespace: ns,
      set: ['serviceMonitor.enabled=true', 'fullnameOverride=Not_A_DNS_Name'],
    }).find((o) => o.kind === 'ServiceMonitor')!;
    await assert.rejects(dryRunCreate(env.kubeConfig, badName as KubernetesObject), (e) => statusOf(e) === 422);
  });
});

describe('helm install into the test apiserver', () => {
  it('installs every object (every toggle on), prints the NOTES, and uninstalls', async () => {
    const [ns, monitoring] = [
      await createTestNamespace(env.kubeConfig, 'helm-install'),
      await createTestNamespace(env.kubeConfig, 'helm-monitoring'),
    ];
    const watched = [`${ns}-ctf`, `${ns}-pwn`];
    const kube = ['--kubeconfig', env.kubeconfigPath, '--namespace', ns];
    // No kubelet here, so no --wait: the Deployment never becomes available.
    const out = helm([
      'install',
      ns,
      chartDir,
      ...kube,
      '--values',
      allOnValues,
      '--set',
      `challengeNamespaces={${watched.join(',')}}`,
      '--set',
      `serviceMonitor.namespace=${monitoring}`,
      '--set',
      `prometheusRule.namespace=${monitoring}`,
      '--set',
      'metrics.service.nodePort=30998',
    ]);
    assert.match(out, /STATUS: deployed/);
    assert.match(out, new RegExp(`Watching Challenges in: ${watched.join(', ')}`));
    assert.match(out, /Leader election: on \(2 replicas/);
    assert.match(out, new RegExp(`ServiceMonitor ${monitoring}/${ns}-challenge-operator`));
    const api = KubernetesObjectApi.makeApiClient(env.kubeConfig);
    const smRef = {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'ServiceMonitor',
      metadata: { name: `${ns}-challenge-operator`, namespace: monitoring },
    };
    const sm = await api.read(smRef);
    assert.equal(sm.metadata?.labels?.release, 'kps');
    assert.match(helm(['uninstall', ns, ...kube]), /uninstalled/);
    await assert.rejects(api.read(smRef), (e) => statusOf(e) === 404);
  });
});

describe('server-side dry run of the local stack manifests', () => {
  const load = (file: string) =>
    parseAllDocuments(readFileSync(resolve(repo, file), 'utf8'))
      .map((d) => d.toJS() as K8sObject | null)
      .filter((o): o is K8sObject => o !== null);

  it('accepts the demo ChallengeDefinitions (validated by the chart CRD schema)', async () => {
    const ns = await createTestNamespace(env.kubeConfig, 'demo-defs');
    const defs = load('operator/demo/definitions.yaml').map((d) => ({
      ...d,
      metadata: { ...d.metadata, namespace: ns },
    }));
    assert.equal(defs.length, 5);
    assert.equal((await dryRunAll(defs)).length, 5);
  });

  it('accepts the in-cluster workload Deployment and its RBAC (deploy/kind/workload.yaml)', async () => {
    const ns = await createTestNamespace(env.kubeConfig, 'demo-workload');
    const objs = load('deploy/kind/workload.yaml').map((o) => {
      const copy = structuredClone(o);
      copy.metadata.namespace = ns;
      for (const s of copy.subjects ?? []) {
        s.namespace = ns;
      }
      return copy;
    });
    assert.deepEqual(
      (await dryRunAll(objs)).map((a) => a.split('/')[0]),
      ['ServiceAccount', 'Role', 'RoleBinding', 'Deployment']
    );
  });
});
