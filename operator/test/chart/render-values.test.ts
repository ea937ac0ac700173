// helm template on operator/chart with values set: every toggle on (ci/all-on-values.yaml), and the defaults that
// follow other values, asserting on the rendered objects.
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
import { allOnValues, chartDir, container, findObject, renderChart } from './helm.ts';

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
        'isolation.namespaceDefaultDeny=false',
        'challengeResources.limitRange.enabled=false',
        'challengeResources.quota.enabled=false',
      ],
    });
    assert.deepEqual(objs.map((o) => o.kind).sort(), ['Deployment', 'Service']);
    assert.equal(findObject(objs, 'Deployment').spec.template.spec.serviceAccountName, 'existing');
  });
});
