// helm template on operator/chart with the default values, asserting on the rendered objects: which there are, the
// operator's flags and security context, its metrics Service, the challenge namespace and the RBAC grants.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseFlags } from '../../src/flags.ts';
import { container, findObject, renderChart } from './helm.ts';

describe('helm template, default values', () => {
  const objs = renderChart();

  it('renders exactly the always-on objects', () => {
    assert.deepEqual(objs.map((o) => o.kind).sort(), [
      'ClusterRole',
      'ClusterRole',
      'ClusterRoleBinding',
      'Deployment',
      'FlowSchema',
      'FlowSchema',
      'LimitRange',
      'Namespace',
      'NetworkPolicy',
      'NetworkPolicy',
      'PriorityLevelConfiguration',
      'PriorityLevelConfiguration',
      'ResourceQuota',
      'Role',
      'Role',
      'RoleBinding',
      'RoleBinding',
      'Service',
      'ServiceAccount',
      'ValidatingAdmissionPolicy',
      'ValidatingAdmissionPolicy',
      'ValidatingAdmissionPolicy',
      'ValidatingAdmissionPolicy',
      'ValidatingAdmissionPolicyBinding',
      'ValidatingAdmissionPolicyBinding',
      'ValidatingAdmissionPolicyBinding',
      'ValidatingAdmissionPolicyBinding',
    ]);
  });

  it('runs the operator with the flags of the original HexaCTF operator, probes and a locked-down security context', () => {
    const c = container(objs);
    assert.equal(c.image, 'hexactf/challenge-operator:0.1.0');
    assert.ok(c.args.includes('--metrics-bind-address=:8080'));
    assert.ok(c.args.includes('--health-probe-bind-address=:8081'));
    assert.ok(c.args.includes('--deleted-series-retention=60s'));
    assert.ok(c.args.includes('--quota-wait-timeout=0'), 'waiting Challenges do not expire by default');
    assert.equal(parseFlags(c.args, {}).quotaWaitTimeoutMs, 0, 'the operator accepts every flag the chart passes');
    assert.ok(c.args.includes('--series-state-configmap=hexactf-challenge-operator-series-state'));
    assert.ok(!c.args.includes('--leader-elect'), 'one replica: no leader election');
    assert.ok(c.args.includes('--namespace=hexactf-challenges'), 'the challenge namespaces only, by default');
    assert.ok(c.args.includes('--network-policy=true'), 'instances isolated by default');
    assert.ok(
      !c.args.some(
        (a: string) =>
          a.startsWith('--allowed-capabilities') ||
          a.startsWith('--allowed-runtime-classes') ||
          a === '--allow-load-balancer'
      ),
      'no opt-ins by default'
    );
    assert.deepEqual(c.livenessProbe.httpGet, { path: '/healthz', port: 'health' });
    assert.deepEqual(c.readinessProbe.httpGet, { path: '/readyz', port: 'health' });
    assert.deepEqual(
      c.ports.map((p: any) => [p.name, p.containerPort]),
      [
        ['metrics', 8080],
        ['health', 8081],
      ]
    );
    assert.equal(c.securityContext.readOnlyRootFilesystem, true);
    assert.equal(c.securityContext.allowPrivilegeEscalation, false);
    assert.deepEqual(c.securityContext.capabilities.drop, ['ALL']);
    assert.equal(c.securityContext.seccompProfile.type, 'RuntimeDefault');
    const pod = findObject(objs, 'Deployment').spec.template.spec;
    assert.equal(pod.securityContext.runAsNonRoot, true);
    assert.equal(pod.serviceAccountName, 'hexactf-challenge-operator');
    assert.deepEqual(c.env[0], { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } });
  });

  it('exposes metrics on a Service port named operator-metrics, labelled like the original HexaCTF operator', () => {
    const svc = findObject(objs, 'Service');
    assert.equal(svc.metadata.name, 'hexactf-challenge-operator-metrics');
    assert.deepEqual(svc.spec.ports, [
      { name: 'operator-metrics', protocol: 'TCP', port: 8080, targetPort: 'metrics' },
    ]);
    assert.equal(svc.metadata.labels!['app.kubernetes.io/name'], 'challenge-operator');
    assert.equal(svc.metadata.labels!['app.kubernetes.io/component'], 'metrics');
    // The Service selects the operator pods.
    const podLabels = findObject(objs, 'Deployment').spec.template.metadata.labels;
    for (const [k, v] of Object.entries(svc.spec.selector)) {
      assert.equal(podLabels[k], v);
    }
  });

  it('creates the challenge namespace with Pod Security Admission restricted labels, kept on uninstall', () => {
    const ns = findObject(objs, 'Namespace', 'hexactf-challenges');
    assert.equal(ns.metadata.labels!['pod-security.kubernetes.io/enforce'], 'restricted');
    assert.equal(ns.metadata.annotations!['helm.sh/resource-policy'], 'keep');
  });

  it('grants exactly the verbs the operator uses, in the challenge namespace only', () => {
    // Cluster-wide only what secure metrics need: the two reviews, and /metrics for the scrapers bound to it.
    const clusterRoles = objs.filter((o) => o.kind === 'ClusterRole');
    assert.deepEqual(clusterRoles.map((r) => r.metadata.name).sort(), [
      'hexactf-challenge-operator-metrics-auth',
      'hexactf-challenge-operator-metrics-reader',
    ]);
    assert.deepEqual(
      clusterRoles
        .flatMap((r) => r.rules)
        .map((r: any) => [r.resources ?? r.nonResourceURLs, r.verbs])
        .sort(),
      [
        [['/metrics'], ['get']],
        [['subjectaccessreviews'], ['create']],
        [['tokenreviews'], ['create']],
      ]
    );
    assert.deepEqual(
      objs.filter((o) => o.kind === 'ClusterRoleBinding').map((b) => b.metadata.name),
      ['hexactf-challenge-operator-metrics-auth']
    );
    const role = findObject(objs, 'Role', 'hexactf-challenge-operator');
    assert.equal(role.metadata.namespace, 'hexactf-challenges');
    const verbs = (group: string, resource: string) =>
      role.rules
        .filter((r: any) => r.apiGroups.includes(group) && r.resources.includes(resource))
        .flatMap((r: any) => r.verbs)
        .sort();
    assert.deepEqual(verbs('apps.hexactf.io', 'challenges'), ['delete', 'get', 'list', 'patch', 'update', 'watch']);
    assert.deepEqual(verbs('apps.hexactf.io', 'challenges/status'), ['patch', 'update']);
    assert.deepEqual(verbs('apps.hexactf.io', 'challenges/finalizers'), ['update']);
    assert.deepEqual(verbs('apps.hexactf.io', 'challengedefinitions'), ['get', 'list', 'watch']);
    assert.deepEqual(verbs('apps', 'deployments'), ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch']);
    assert.deepEqual(verbs('', 'services'), ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch']);
    assert.deepEqual(verbs('', 'pods'), ['get', 'list', 'watch']);
    assert.deepEqual(verbs('networking.k8s.io', 'networkpolicies'), [
      'create',
      'delete',
      'get',
      'list',
      'patch',
      'update',
      'watch',
    ]);
    // Events: the events.k8s.io ones the recorder writes (create, patch of a series), never the core group's, never read.
    assert.deepEqual(verbs('events.k8s.io', 'events'), ['create', 'patch']);
    assert.deepEqual(verbs('', 'events'), []);
    assert.deepEqual(verbs('', 'secrets'), []);
    assert.ok(!role.rules.some((r: any) => r.verbs.includes('*') || r.resources.includes('*')));
    const binding = findObject(objs, 'RoleBinding', 'hexactf-challenge-operator');
    assert.equal(binding.metadata.namespace, 'hexactf-challenges');
    assert.deepEqual(binding.subjects, [
      { kind: 'ServiceAccount', name: 'hexactf-challenge-operator', namespace: 'hexactf' },
    ]);
  });

  it('grants its series-state ConfigMap by name only, in the release namespace', () => {
    const role = findObject(objs, 'Role', 'hexactf-challenge-operator-series-state');
    assert.equal(role.metadata.namespace, 'hexactf');
    assert.deepEqual(role.rules, [
      { apiGroups: [''], resources: ['configmaps'], verbs: ['create'] },
      {
        apiGroups: [''],
        resources: ['configmaps'],
        resourceNames: ['hexactf-challenge-operator-series-state'],
        verbs: ['get', 'update'],
      },
    ]);
    const binding = findObject(objs, 'RoleBinding', 'hexactf-challenge-operator-series-state');
    assert.deepEqual(binding.roleRef, {
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'Role',
      name: 'hexactf-challenge-operator-series-state',
    });
    assert.deepEqual(binding.subjects, [
      { kind: 'ServiceAccount', name: 'hexactf-challenge-operator', namespace: 'hexactf' },
    ]);
  });

  it('operator.emitEvents=false: --emit-events=false and no Event grant', () => {
    assert.ok(container(objs).args.includes('--emit-events=true'));
    const off = renderChart({ set: ['operator.emitEvents=false'] });
    const args = container(off).args;
    assert.ok(args.includes('--emit-events=false'));
    assert.equal(parseFlags(args, {}).emitEvents, false, "the operator reads the chart's flag");
    const role = findObject(off, 'Role', 'hexactf-challenge-operator');
    assert.ok(!role.rules.some((r: any) => r.resources.includes('events')));
  });

  it('operator.keepSeriesState=false: no flag, no ConfigMap Role', () => {
    const off = renderChart({ set: ['operator.keepSeriesState=false'] });
    assert.ok(!container(off).args.some((a: string) => a.startsWith('--series-state-configmap')));
    assert.ok(!off.some((o) => o.kind === 'Role' && o.metadata.name.endsWith('-series-state')));
  });
});
