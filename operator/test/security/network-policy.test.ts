// Network isolation, checked without a CNI: the NetworkPolicies the operator renders per instance and the chart's
// metrics policy are evaluated by netpol-eval.ts (a small evaluator of the API's documented semantics, tested here
// first), over a world of pods and addresses: two players' instances, kube-dns, the operator, Prometheus, the
// apiserver, cloud metadata, the internet and a player outside the cluster.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { desiredChildren } from '../../src/controller/children.ts';
import { DEFAULT_ISOLATION, cidrList } from '../../src/controller/network-policy.ts';
import type { Challenge, ChallengeDefinition } from '../../src/api/types.ts';
import { findObject, renderChart } from '../chart/helm.ts';
import { allowed, inCidr, selects, type NetworkPolicy, type Pod, type World } from './netpol-eval.ts';

describe('the NetworkPolicy evaluator', () => {
  const ns = (name: string, labels: Record<string, string> = {}) => ({
    [name]: { 'kubernetes.io/metadata.name': name, ...labels },
  });
  const a: Pod = { namespace: 'x', labels: { app: 'a' }, ip: '10.244.0.1' };
  const b: Pod = { namespace: 'x', labels: { app: 'b' }, ip: '10.244.0.2' };
  const c: Pod = { namespace: 'y', labels: { app: 'a' }, ip: '10.244.1.1' };
  const world = (...policies: NetworkPolicy[]): World => ({
    policies,
    namespaceLabels: { ...ns('x'), ...ns('y', { team: 'blue' }) },
  });
  const pol = (name: string, spec: NetworkPolicy['spec'], namespace = 'x'): NetworkPolicy => ({
    metadata: { name, namespace },
    spec,
  });

  it('matches CIDRs (IPv4, IPv6) and label selectors', () => {
    assert.ok(inCidr('10.1.2.3', '10.0.0.0/8'));
    assert.ok(!inCidr('11.1.2.3', '10.0.0.0/8'));
    assert.ok(inCidr('169.254.169.254', '169.254.0.0/16'));
    assert.ok(inCidr('1.2.3.4', '0.0.0.0/0'));
    assert.ok(!inCidr('1.2.3.4', '::/0'), 'families never mix');
    assert.ok(inCidr('fd00::1', 'fc00::/7'));
    assert.ok(!inCidr('2001:db8::1', 'fc00::/7'));
    assert.ok(selects({ matchLabels: { app: 'a' } }, { app: 'a', x: 'y' }));
    assert.ok(!selects({ matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['a'] }] }, { app: 'a' }));
    assert.ok(selects({ matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }] }, { app: 'a' }));
    assert.ok(selects({}, {}), 'the empty selector selects everything');
  });

  it('no policy: everything allowed; a selecting policy isolates only its direction', () => {
    assert.ok(allowed(world(), a, b, 80));
    const denyIngress = pol('deny', { podSelector: { matchLabels: { app: 'b' } }, policyTypes: ['Ingress'] });
    assert.ok(!allowed(world(denyIngress), a, b, 80));
    assert.ok(allowed(world(denyIngress), b, a, 80), 'b may still send (egress not isolated)');
    const denyEgress = pol('deny-out', { podSelector: {}, policyTypes: ['Egress'] });
    assert.ok(!allowed(world(denyEgress), a, { ip: '1.1.1.1' }, 443));
    assert.ok(!allowed(world(denyEgress), a, b, 80), "a connection needs the sender's egress too");
  });

  it("peers: podSelector alone is the policy's namespace; namespace+pod selectors in one peer are AND, two peers OR", () => {
    const fromA = pol('from-a', {
      podSelector: { matchLabels: { app: 'b' } },
      ingress: [{ from: [{ podSelector: { matchLabels: { app: 'a' } } }] }],
    });
    assert.ok(allowed(world(fromA), a, b, 80));
    assert.ok(!allowed(world(fromA), c, b, 80), 'same labels in another namespace do not match');
    const and = pol('and', {
      podSelector: { matchLabels: { app: 'b' } },
      ingress: [
        {
          from: [{ namespaceSelector: { matchLabels: { team: 'blue' } }, podSelector: { matchLabels: { app: 'z' } } }],
        },
      ],
    });
    assert.ok(!allowed(world(and), c, b, 80));
    const or = pol('or', {
      podSelector: { matchLabels: { app: 'b' } },
      ingress: [
        {
          from: [
            { namespaceSelector: { matchLabels: { team: 'blue' } } },
            { podSelector: { matchLabels: { app: 'z' } } },
          ],
        },
      ],
    });
    assert.ok(allowed(world(or), c, b, 80));
  });

  it('ipBlock with except; ports with protocol and endPort; rules of several policies add up', () => {
    const ext = pol('ext', {
      podSelector: { matchLabels: { app: 'b' } },
      ingress: [
        { from: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] } }], ports: [{ port: 8000, endPort: 8100 }] },
      ],
    });
    assert.ok(allowed(world(ext), { ip: '203.0.113.9' }, b, 8080));
    assert.ok(!allowed(world(ext), { ip: '203.0.113.9' }, b, 9000), 'port outside the range');
    assert.ok(!allowed(world(ext), { ip: '203.0.113.9' }, b, 8080, 'UDP'), 'protocol defaults to TCP');
    assert.ok(!allowed(world(ext), a, b, 8080), 'a pod IP inside the except');
    const more = pol('more', {
      podSelector: { matchLabels: { app: 'b' } },
      ingress: [{ from: [{ podSelector: { matchLabels: { app: 'a' } } }] }],
    });
    assert.ok(allowed(world(ext, more), a, b, 8080));
    assert.throws(
      () => allowed(world(pol('named', { podSelector: {}, ingress: [{ ports: [{ port: 'http' }] }] })), a, b, 80),
      /named port/
    );
  });
});

describe('reachability over the rendered policies', () => {
  const def: ChallengeDefinition = {
    metadata: { name: 'web', namespace: 'ctf' },
    spec: {
      components: [
        {
          name: 'web',
          deployment: { spec: { template: { spec: { containers: [{ name: 'web', image: 'x' }] } } } },
          service: { spec: { type: 'NodePort', ports: [{ port: 80 }] } },
        },
        { name: 'db', deployment: { spec: { template: { spec: { containers: [{ name: 'db', image: 'y' }] } } } } },
      ],
    },
  };
  const challenge = (name: string, uid: string, user: string): Challenge => ({
    metadata: {
      name,
      namespace: 'ctf',
      uid,
      labels: { 'apps.hexactf.io/challengeId': '1', 'apps.hexactf.io/user': user },
    },
    spec: { definition: 'web' },
  });
  const chA = challenge('alice-1', 'uid-a', 'alice');
  const chB = challenge('bob-1', 'uid-b', 'bob');
  /** The pods a rendered Deployment makes: its template labels, in its namespace. */
  const podsOf = (ch: Challenge, ips: string[]) =>
    desiredChildren(ch, def)
      .filter((c) => c.kind === 'Deployment')
      .map((d, i): Pod => ({ namespace: 'ctf', labels: d.object.spec.template.metadata.labels, ip: ips[i] }));
  const policiesOf = (ch: Challenge) =>
    desiredChildren(ch, def)
      .filter((c) => c.kind === 'NetworkPolicy')
      .map((c) => c.object as unknown as NetworkPolicy);

  const [aWeb, aDb] = podsOf(chA, ['10.244.1.10', '10.244.1.11']);
  const [bWeb] = podsOf(chB, ['10.244.2.10']);
  // The chart with 'ctf' as its challenge namespace: its default-deny NetworkPolicy there is part of the world.
  const chart = renderChart({ release: 'hexactf', namespace: 'hexactf', set: ['challengeNamespaces={ctf}'] });
  const operatorPod: Pod = {
    namespace: 'hexactf',
    labels: findObject(chart, 'Deployment').spec.template.metadata.labels,
    ip: '10.244.3.5',
  };
  const prometheus: Pod = {
    namespace: 'monitoring',
    labels: { 'app.kubernetes.io/name': 'prometheus' },
    ip: '10.244.4.2',
  };
  const otherMonitoring: Pod = { namespace: 'monitoring', labels: { app: 'grafana' }, ip: '10.244.4.3' };
  const kubeDns: Pod = { namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' }, ip: '10.244.0.2' };
  const world: World = {
    policies: [
      ...policiesOf(chA),
      ...policiesOf(chB),
      ...(chart.filter((o) => o.kind === 'NetworkPolicy') as unknown as NetworkPolicy[]),
    ],
    namespaceLabels: Object.fromEntries(
      ['ctf', 'hexactf', 'monitoring', 'kube-system'].map((n) => [n, { 'kubernetes.io/metadata.name': n }])
    ),
  };
  const internet = { ip: '203.0.113.7' };
  const player = { ip: '198.51.100.9' };
  const metadata = { ip: '169.254.169.254' };
  const apiserverService = { ip: '10.96.0.1' };
  const node = { ip: '172.18.0.2' };

  it("one NetworkPolicy per instance, selecting exactly that instance's pods", () => {
    assert.equal(policiesOf(chA).length, 1);
    const sel = policiesOf(chA)[0].spec.podSelector;
    assert.ok(selects(sel, aWeb.labels) && selects(sel, aDb.labels));
    assert.ok(!selects(sel, bWeb.labels));
  });

  it("a player outside the cluster reaches the instance; the instance's own components reach each other", () => {
    assert.ok(allowed(world, player, aWeb, 80));
    assert.ok(allowed(world, aWeb, aDb, 6379));
    assert.ok(allowed(world, aDb, aWeb, 80));
  });

  it("the namespace's default deny: a pod no instance policy selects reaches nothing and nothing reaches it", () => {
    assert.ok(findObject(chart, 'NetworkPolicy', 'hexactf-challenge-operator-default-deny'));
    const stray: Pod = { namespace: 'ctf', labels: { app: 'left-over' }, ip: '10.244.1.99' };
    for (const [from, to, port] of [
      [player, stray, 80],
      [aWeb, stray, 80],
      [stray, internet, 443],
      [stray, aWeb, 80],
      [stray, kubeDns, 53],
    ] as const) {
      assert.ok(
        !allowed(world, from, to, port, port === 53 ? 'UDP' : 'TCP'),
        `${JSON.stringify(from)} -> ${JSON.stringify(to)}`
      );
    }
  });

  it('no traffic between instances, either way', () => {
    assert.ok(!allowed(world, aWeb, bWeb, 80));
    assert.ok(!allowed(world, bWeb, aDb, 6379));
  });

  it('an instance reaches the internet and DNS, not metadata, the apiserver, nodes, the operator or Prometheus', () => {
    assert.ok(allowed(world, aWeb, internet, 443));
    assert.ok(allowed(world, aWeb, kubeDns, 53, 'UDP'));
    assert.ok(!allowed(world, aWeb, kubeDns, 80), 'DNS only');
    assert.ok(!allowed(world, aWeb, metadata, 80));
    assert.ok(!allowed(world, aWeb, apiserverService, 443));
    assert.ok(!allowed(world, aWeb, node, 6443));
    assert.ok(!allowed(world, aWeb, node, 10250), 'the kubelet');
    assert.ok(!allowed(world, aWeb, operatorPod, 8080));
    assert.ok(!allowed(world, aWeb, prometheus, 9090));
  });

  it("only Prometheus reaches the operator's metrics port; the health port stays open for probes", () => {
    assert.ok(allowed(world, prometheus, operatorPod, 8080));
    assert.ok(!allowed(world, otherMonitoring, operatorPod, 8080));
    assert.ok(!allowed(world, { ip: '10.244.9.9' }, operatorPod, 8080));
    assert.ok(!allowed(world, player, operatorPod, 8080));
    assert.ok(allowed(world, node, operatorPod, 8081));
  });

  it('--egress-allow-cidrs and --ingress-allow-cidrs open exactly what they name', () => {
    const iso = { ...DEFAULT_ISOLATION, egressAllowCidrs: ['10.50.0.0/16'], ingressAllowCidrs: ['172.18.0.0/16'] };
    const w: World = {
      ...world,
      policies: desiredChildren(chA, def, undefined, iso)
        .filter((c) => c.kind === 'NetworkPolicy')
        .map((c) => c.object as unknown as NetworkPolicy),
    };
    assert.ok(allowed(w, aWeb, { ip: '10.50.1.1' }, 5432));
    assert.ok(!allowed(w, aWeb, { ip: '10.51.1.1' }, 5432));
    assert.ok(allowed(w, node, aWeb, 80), 'SNATed NodePort traffic from a node');
    assert.ok(!allowed(w, aWeb, metadata, 80));
    assert.deepEqual(
      desiredChildren(chA, def, undefined, { ...DEFAULT_ISOLATION, enabled: false }).filter(
        (c) => c.kind === 'NetworkPolicy'
      ),
      []
    );
  });

  it('CIDR flags are checked', () => {
    assert.deepEqual(cidrList('10.0.0.0/8, fd00::/8', 'x'), ['10.0.0.0/8', 'fd00::/8']);
    assert.throws(() => cidrList('10.0.0.0', 'x'), /not a CIDR/);
    assert.throws(() => cidrList('300.0.0.0/8', 'x'), /not a CIDR/);
    assert.throws(() => cidrList('10.0.0.0/33', 'x'), /not a CIDR/);
  });
});
