// helm lint + helm template on operator/chart, asserting on the rendered objects.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { parseFlags } from '../../src/flags.ts';
import {
  LABEL_CHALLENGE_ID,
  LABEL_COMPONENT,
  LABEL_INSTANCE,
  LABEL_MANAGED_BY,
  LABEL_OWNER_UID,
  LABEL_USER,
} from '../../src/api/types.ts';
import { allOnValues, chartDir, findObject, helm, renderChart, type K8sObject } from './helm.ts';

const container = (objs: K8sObject[]) => findObject(objs, 'Deployment').spec.template.spec.containers[0];

describe('helm lint', () => {
  it('passes with the default values', () => {
    assert.match(helm(['lint', '--strict', chartDir]), /1 chart\(s\) linted, 0 chart\(s\) failed/);
  });
  it('passes with every toggle on', () => {
    assert.match(helm(['lint', '--strict', chartDir, '--values', allOnValues]), /0 chart\(s\) failed/);
  });
});

describe('values.schema.json', () => {
  const fails = (set: string[]) =>
    assert.throws(() => renderChart({ set }), /don't meet the specifications of the schema/);
  it('refuses typos, wrong types and bad durations before anything is rendered', () => {
    fails(['serviceMonitr.enabled=true']);
    fails(['operator.logLevel=verbose']);
    fails(['operator.pendingTimeout=5min']);
    fails(['serviceMonitor.interval=30 seconds']);
    fails(['metrics.service.nodePort=80']);
    renderChart({
      set: ['operator.pendingTimeout=1h30m', 'metrics.service.type=NodePort', 'metrics.service.nodePort=30080'],
    });
  });
});

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
      'Namespace',
      'NetworkPolicy',
      'PriorityLevelConfiguration',
      'PriorityLevelConfiguration',
      'Role',
      'Role',
      'RoleBinding',
      'RoleBinding',
      'Service',
      'ServiceAccount',
      'ValidatingAdmissionPolicy',
      'ValidatingAdmissionPolicy',
      'ValidatingAdmissionPolicy',
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

describe('helm template, every toggle on (ci/all-on-values.yaml)', () => {
  const objs = renderChart({ valuesFiles: [allOnValues] });

  it('turns on leader election for 2 replicas, with a Role for the Lease only', () => {
    const c = container(objs);
    assert.ok(c.args.includes('--leader-elect'));
    assert.ok(c.args.includes('--namespace=ctf,ctf-pwn'));
    assert.ok(c.args.includes('--allowed-capabilities=SYS_ADMIN'));
    assert.ok(c.args.includes('--allowed-runtime-classes=gvisor'));
    assert.ok(c.args.includes('--allow-load-balancer'));
    assert.ok(c.args.includes('--delete-on-error'));
    assert.ok(c.args.includes('--quota-wait-timeout=10m'));
    assert.equal(
      parseFlags(c.args, {}).quotaWaitTimeoutMs,
      600_000,
      'the operator accepts every flag the chart passes'
    );
    assert.ok(c.args.includes('--leader-election-namespace=hexactf'), 'extraArgs appended');
    const lease = findObject(objs, 'Role', 'hexactf-challenge-operator-leader-election');
    assert.equal(lease.metadata.namespace, 'hexactf');
    assert.deepEqual(
      lease.rules.flatMap((r: any) => r.resources),
      ['leases', 'leases']
    );
    assert.deepEqual(lease.rules[1].resourceNames, ['challenge-operator.hexactf.io']);
  });

  it('uses a Role + RoleBinding in each challenge namespace, labelled with the chosen Pod Security level', () => {
    assert.ok(!objs.some((o) => o.kind === 'ClusterRole' && o.metadata.name === 'hexactf-challenge-operator'));
    const roles = objs.filter((o) => o.kind === 'Role' && o.metadata.name === 'hexactf-challenge-operator');
    assert.deepEqual(
      roles.map((r) => r.metadata.namespace),
      ['ctf', 'ctf-pwn']
    );
    const bindings = objs.filter((o) => o.kind === 'RoleBinding' && o.metadata.name === 'hexactf-challenge-operator');
    assert.deepEqual(
      bindings.map((b) => [b.metadata.namespace, b.subjects[0].namespace]),
      [
        ['ctf', 'hexactf'],
        ['ctf-pwn', 'hexactf'],
      ]
    );
    const namespaces = objs.filter((o) => o.kind === 'Namespace');
    assert.deepEqual(
      namespaces.map((n) => [n.metadata.name, n.metadata.labels!['pod-security.kubernetes.io/enforce']]),
      [
        ['ctf', 'baseline'],
        ['ctf-pwn', 'baseline'],
      ]
    );
  });

  it('carries the childPolicy opt-ins into the admission policies', () => {
    const workloads = findObject(objs, 'ValidatingAdmissionPolicy', 'hexactf-challenge-operator-workloads');
    assert.equal(
      workloads.spec.variables.find((v: any) => v.name === 'allowedCapabilities').expression,
      '["SYS_ADMIN"]'
    );
    assert.equal(
      workloads.spec.matchConditions[0].expression,
      'request.userInfo.username == "system:serviceaccount:hexactf:hexactf-challenge-operator"'
    );
    assert.equal(
      workloads.spec.variables.find((v: any) => v.name === 'allowedRuntimeClasses').expression,
      '["gvisor"]'
    );
    const services = findObject(objs, 'ValidatingAdmissionPolicy', 'hexactf-challenge-operator-services');
    assert.ok(services.spec.validations.some((v: any) => v.expression.includes("'LoadBalancer'")));
  });

  it("the admission policies name the operator's own labels (src/api/types.ts), so they cannot drift apart", () => {
    const workloads = findObject(objs, 'ValidatingAdmissionPolicy', 'hexactf-challenge-operator-workloads');
    const owned = workloads.spec.variables.find((v: any) => v.name === 'ownedLabels').expression;
    for (const key of [
      LABEL_MANAGED_BY,
      LABEL_CHALLENGE_ID,
      LABEL_USER,
      LABEL_COMPONENT,
      LABEL_INSTANCE,
      LABEL_OWNER_UID,
    ]) {
      assert.ok(owned.includes(`'${key}'`), key);
    }
    const text = JSON.stringify(objs.filter((o) => o.kind === 'ValidatingAdmissionPolicy'));
    for (const key of [LABEL_INSTANCE, LABEL_OWNER_UID]) {
      assert.ok(text.includes(`'${key}'`), `selectors by ${key}`);
    }
    const netpols = findObject(objs, 'ValidatingAdmissionPolicy', 'hexactf-challenge-operator-networkpolicies');
    assert.ok(netpols.spec.variables.some((v: any) => v.expression.includes(`'${LABEL_OWNER_UID}'`)));
  });

  it('places the pods as configured', () => {
    const pod = findObject(objs, 'Deployment').spec.template.spec;
    assert.deepEqual(pod.nodeSelector, { 'hexactf/env': 'mgmt' });
    assert.equal(pod.tolerations[0].key, 'hexactf/mgmt');
    assert.ok(pod.affinity.podAntiAffinity);
    assert.equal(findObject(objs, 'Service').spec.ports[0].nodePort, 30080);
  });

  it('renders the ServiceMonitor of the original HexaCTF operator with values: namespace, release label, interval, namespaceSelector', () => {
    const sm = findObject(objs, 'ServiceMonitor');
    assert.equal(sm.metadata.namespace, 'monitoring');
    assert.equal(sm.metadata.labels!.release, 'kps');
    assert.deepEqual(sm.spec.namespaceSelector, { matchNames: ['hexactf', 'default'] });
    const ep = sm.spec.endpoints[0];
    assert.equal(ep.port, 'operator-metrics');
    assert.equal(ep.interval, '15s');
    assert.equal(ep.scrapeTimeout, '5s');
    assert.equal(ep.honorLabels, true);
    // It selects the metrics Service.
    const svcLabels = findObject(objs, 'Service').metadata.labels!;
    for (const [k, v] of Object.entries(sm.spec.selector.matchLabels)) {
      assert.equal(svcLabels[k], v);
    }
  });

  it('renders the rules of files/rules.yaml, minus disabled ones, plus extra alert labels', () => {
    const rule = findObject(objs, 'PrometheusRule');
    assert.equal(rule.metadata.namespace, 'monitoring');
    assert.equal(rule.metadata.labels!.release, 'kps');
    const source = parse(readFileSync(join(chartDir, 'files/rules.yaml'), 'utf8'));
    const names = (groups: any[]) => groups.flatMap((g) => g.rules.map((r: any) => r.alert ?? r.record));
    const expected = names(source.groups).filter((n: string) => n !== 'HexactfChallengeInstancePendingTooLong');
    assert.deepEqual(names(rule.spec.groups), expected);
    for (const r of rule.spec.groups.flatMap((g: any) => g.rules)) {
      if (r.alert) {
        assert.equal(r.labels.team, 'ctf-infra');
      } else {
        assert.equal(r.labels, undefined);
      }
      const original = source.groups
        .flatMap((g: any) => g.rules)
        .find((o: any) => (o.alert ?? o.record) === (r.alert ?? r.record));
      assert.equal(r.expr, original.expr, 'expressions are taken verbatim');
    }
  });
});

describe('helm template, defaults that follow other values', () => {
  it('rbac.clusterWide=true is the explicit cluster-wide mode: a ClusterRole, no --namespace, no challenge namespaces', () => {
    const objs = renderChart({ set: ['rbac.clusterWide=true'] });
    findObject(objs, 'ClusterRole', 'hexactf-challenge-operator');
    findObject(objs, 'ClusterRoleBinding', 'hexactf-challenge-operator');
    assert.ok(
      !objs.some(
        (o) => (o.kind === 'Role' && o.metadata.name === 'hexactf-challenge-operator') || o.kind === 'Namespace'
      )
    );
    assert.ok(!container(objs).args.some((a: string) => a.startsWith('--namespace')));
  });

  it('refuses no challenge namespace, the release namespace or a system namespace', () => {
    assert.throws(() => renderChart({ set: ['challengeNamespaces=null'] }), /at least one namespace/);
    for (const ns of ['hexactf', 'kube-system', 'kube-public', 'default']) {
      assert.throws(() => renderChart({ set: [`challengeNamespaces={${ns}}`] }), /is refused/, ns);
    }
  });

  it('ServiceMonitor defaults to the release namespace and the job the rules expect follows nameOverride', () => {
    const objs = renderChart({
      namespace: 'ops',
      set: ['serviceMonitor.enabled=true', 'prometheusRule.enabled=true', 'nameOverride=ctf-op'],
    });
    const sm = findObject(objs, 'ServiceMonitor');
    assert.equal(sm.metadata.namespace, 'ops');
    assert.deepEqual(sm.spec.namespaceSelector, { matchNames: ['ops'] });
    assert.equal(sm.spec.jobLabel, 'app.kubernetes.io/name');
    assert.equal(findObject(objs, 'Service').metadata.labels!['app.kubernetes.io/name'], 'ctf-op');
    const absent = findObject(objs, 'PrometheusRule')
      .spec.groups.flatMap((g: any) => g.rules)
      .find((r: any) => r.alert === 'HexactfOperatorAbsent');
    assert.equal(absent.expr, 'absent(up{job="ctf-op"} == 1)');
  });

  it('leaderElect=true with one replica also adds the Lease Role', () => {
    const objs = renderChart({ set: ['operator.leaderElect=true'] });
    assert.ok(container(objs).args.includes('--leader-elect'));
    findObject(objs, 'Role', 'hexactf-challenge-operator-leader-election');
  });

  it('rbac.create=false and serviceAccount.create=false render no RBAC objects', () => {
    const objs = renderChart({
      set: [
        'rbac.create=false',
        'serviceAccount.create=false',
        'serviceAccount.name=existing',
        'admissionPolicy.enabled=false',
        'createChallengeNamespaces=false',
        'metrics.networkPolicy.enabled=false',
        'flowControl.enabled=false',
      ],
    });
    assert.deepEqual(objs.map((o) => o.kind).sort(), ['Deployment', 'Service']);
    assert.equal(findObject(objs, 'Deployment').spec.template.spec.serviceAccountName, 'existing');
  });
});
