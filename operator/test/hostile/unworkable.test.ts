// Objects the schema lets through but that cannot work as written. Each ends in Error with a reason, or works;
// the operator never throws out of a reconcile (controller_runtime_reconcile_errors_total stays 0) and its
// exposition stays valid for Prometheus' own parsers (promtool and a real Prometheus scrape).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { STATUS_METRIC } from '@hexactf/contract';
import { startPrometheus } from '@hexactf/testing/prometheus';
import { waitFor } from '@hexactf/testing/wait';
import { FakeClock } from '../../src/clock.ts';
import { ChallengeCollector } from '../../src/metrics/challenge-collector.ts';
import { listen, type BoundServer } from '../../src/server/http-server.ts';
import type { Challenge, ChallengeDefinition } from '../../src/api/types.ts';
import { Fixture, definitionSpec, parseSeries, seriesKey } from '../integration/harness.ts';
import { promtoolCheckMetrics, scrapeConfig } from './prometheus.ts';

// Label values Kubernetes allows ([A-Za-z0-9._-], at most 63, alphanumeric at both ends); unicode, 64+
// characters and other regex characters are refused by the apiserver (challenge-schema.test.ts).
const users = [
  { name: 'c-long', user: 'u'.repeat(30) + 'X'.repeat(33), id: '12' }, // 63 characters, upper case
  { name: 'c-dots', user: 'a.b', id: '1.0-beta_X' }, // regex "." in user and challengeId
  { name: 'c-dash', user: 'a-b', id: '1' },
  { name: 'c-under', user: 'a_b', id: '1' },
  { name: 'c-mixed', user: 'Z.z_Z-9', id: '1' },
];

let f: Fixture;
before(async () => {
  f = await Fixture.create('hostile', { maxConcurrentReconciles: 4 });
});
after(() => f.close());

const reconcileErrors = async () => {
  const m = /^controller_runtime_reconcile_errors_total\{controller="challenge"\} (\S+)$/m.exec(await f.scrapeText());
  return Number(m?.[1] ?? 0);
};

describe('accepted by the schema, cannot work: Error with a reason', () => {
  test('unknown definition: Error DefinitionNotFound, exported as 3', async () => {
    await f.createChallenge('c-nodef', { user: 'amy', definition: 'no-such-definition' });
    const ch = await f.waitForState('c-nodef', 'Error');
    assert.match(ch.status!.currentStatus!.errorMsg!, /definition no-such-definition not found/);
    assert.equal(ch.status!.conditions!.find((c) => c.type === 'Ready')!.reason, 'DefinitionNotFound');
    assert.equal((await f.statusSeries()).get(seriesKey({ name: 'c-nodef', user: 'amy', ns: f.ns })), '3');
    assert.deepEqual(await f.deploymentsOf(ch), []);
  });

  test('Challenge without the user label: Error MissingLabels', async () => {
    await f.custom.createNamespacedCustomObject({
      group: 'apps.hexactf.io',
      version: 'v1alpha1',
      namespace: f.ns,
      plural: 'challenges',
      body: {
        apiVersion: 'apps.hexactf.io/v1alpha1',
        kind: 'Challenge',
        metadata: { name: 'c-nolabels', labels: { 'apps.hexactf.io/challengeId': '1' } },
        spec: { definition: 'web-basic' },
      },
    });
    const ch = await f.waitForState('c-nolabels', 'Error');
    assert.match(ch.status!.currentStatus!.errorMsg!, /missing label apps\.hexactf\.io\/user/);
  });

  test('a component with no containers never reaches the operator: the schema refuses it (see crd-schema.test.ts)', async () => {
    const spec = structuredClone(definitionSpec()) as any;
    spec.components[0].deployment.spec.template.spec.containers = [];
    await assert.rejects(f.createDefinition('no-containers', spec), (err: any) => err.code === 422);
  });

  test('a pod template the Deployment API refuses (restartPolicy Never): Error ChildCreateFailed naming the field', async () => {
    const spec = structuredClone(definitionSpec()) as any;
    spec.components[0].deployment.spec.template.spec.restartPolicy = 'Never';
    await f.createDefinition('bad-pod', spec);
    await f.createChallenge('c-badpod', { user: 'ben', definition: 'bad-pod' });
    const ch = await f.waitForState('c-badpod', 'Error');
    assert.equal(ch.status!.conditions!.find((c) => c.type === 'Ready')!.reason, 'ChildCreateFailed');
    assert.match(ch.status!.currentStatus!.errorMsg!, /creating Deployment .*restartPolicy/);
  });

  test('a resource request that is not a quantity ("lots"): Error DefinitionRefused naming it, and the requests metric survives it', async () => {
    await f.createDefinition(
      'bad-quantity',
      definitionSpec({ containerExtra: { resources: { requests: { cpu: 'lots', memory: '64Mi' } } } })
    );
    await f.createChallenge('c-badqty', { user: 'cat', definition: 'bad-quantity' });
    const ch = await f.waitForState('c-badqty', 'Error');
    assert.equal(ch.status!.conditions!.find((c) => c.type === 'Ready')!.reason, 'DefinitionRefused');
    assert.match(ch.status!.currentStatus!.errorMsg!, /resources\.requests\.cpu: "lots" is not a resource quantity/);
    const text = await f.scrapeText();
    assert.match(
      text,
      new RegExp(
        `challenge_definition_requests\\{namespace="${f.ns}",definition="bad-quantity",category="web",resource="memory"\\} ${64 * 2 ** 20}`
      )
    );
  });
  test('a pod spec field of the wrong type (env as a string): Error DefinitionRefused naming it, not endless retries', async () => {
    await f.createDefinition('bad-env', definitionSpec({ containerExtra: { env: 'FLAG=hexactf{x}' } }));
    await f.createChallenge('c-badenv', { user: 'cid', definition: 'bad-env' });
    const ch = await f.waitForState('c-badenv', 'Error');
    assert.equal(ch.status!.conditions!.find((c) => c.type === 'Ready')!.reason, 'DefinitionRefused');
    assert.match(ch.status!.currentStatus!.errorMsg!, /containers\[0\]\.env: must be a list/);
  });
});

describe('accepted by the schema and made to work', () => {
  test("a Service selecting nothing: the operator selects the instance's own pods", async () => {
    const spec = structuredClone(definitionSpec()) as any;
    spec.components[0].service.spec.selector = { app: 'matches-nothing' };
    await f.createDefinition('dangling-svc', spec);
    await f.createChallenge('c-dangling', { user: 'dan', definition: 'dangling-svc' });
    const [d] = await f.waitForDeployments('c-dangling', 1);
    const ch = (await f.getChallenge('c-dangling'))!;
    const svc = await waitFor('service', async () => (await f.servicesOf(ch))[0]);
    const podLabels = d.spec!.template.metadata!.labels!;
    assert.ok(Object.keys(svc.spec!.selector!).length > 0);
    for (const [k, v] of Object.entries(svc.spec!.selector!)) {
      assert.equal(podLabels[k], v, `selector ${k}=${v} matches the pods`);
    }
    assert.equal(svc.spec!.selector!.app, undefined);
    await f.markAvailable(d.metadata!.name!);
    await f.waitForState('c-dangling', 'Running');
  });

  test('a fixed nodePort shared by two users: each instance gets its own allocated port', async () => {
    await f.createDefinition('fixed-port', definitionSpec({ nodePort: 30777 }));
    await f.createChallenge('c-port-1', { user: 'eve', definition: 'fixed-port' });
    await f.createChallenge('c-port-2', { user: 'fay', definition: 'fixed-port' });
    for (const name of ['c-port-1', 'c-port-2']) {
      await f.markAllAvailable(name, 1);
    }
    // The endpoint is written once the Service is in the operator's cache, which may be a reconcile after Running.
    const withEndpoint = (name: string) =>
      waitFor(`${name} Running with its endpoint`, async () => {
        const ch = await f.getChallenge(name);
        return ch?.status?.currentStatus?.state === 'Running' && ch.status.endpoint !== undefined ? ch : undefined;
      });
    const a = await withEndpoint('c-port-1');
    const b = await withEndpoint('c-port-2');
    assert.ok(a.status!.endpoint! >= 30000 && b.status!.endpoint! >= 30000);
    assert.notEqual(a.status!.endpoint, b.status!.endpoint);
    assert.ok(a.status!.endpoint !== 30777 || b.status!.endpoint !== 30777);
  });

  test('usernames of 63 characters and with regex characters . _ -: distinct children and series, names valid', async () => {
    for (const u of users) {
      await f
        .createChallenge(u.name, { user: u.user, challengeId: u.id, definition: 'web-basic-h' })
        .catch((e) => assert.fail(`${u.user}: ${e.body}`));
    }
    await f.createDefinition('web-basic-h');
    const names = new Set<string>();
    for (const u of users) {
      const [d] = await f.waitForDeployments(u.name, 1);
      assert.ok(
        d.metadata!.name!.length <= 63 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(d.metadata!.name!),
        d.metadata!.name
      );
      names.add(d.metadata!.name!);
      await f.markAvailable(d.metadata!.name!);
      const ch = await f.waitForState(u.name, 'Running');
      assert.equal((await f.servicesOf(ch)).length, 1);
    }
    assert.equal(names.size, users.length, 'a.b, a-b and a_b must not share children');
    const series = await f.statusSeries();
    for (const u of users) {
      assert.equal(series.get(seriesKey({ name: u.name, user: u.user, challengeId: u.id, ns: f.ns })), '1', u.user);
    }
  });

  test("after all of the above: no reconcile threw, and promtool accepts the operator's exposition", async () => {
    assert.equal(await reconcileErrors(), 0);
    const text = await f.scrapeText();
    const r = promtoolCheckMetrics(text);
    assert.equal(r.status, 0, r.output);
  });
});

describe('label values are escaped correctly in the exposition (Prometheus parses them back)', () => {
  // Kubernetes never lets these characters into label values, object names or namespaces (challenge-schema.test.ts),
  // so they cannot come through the apiserver: the collector is fed from an in-memory source instead.
  const hostile = [
    'quote"inside',
    'back\\slash',
    'new\nline',
    'tab\tand space',
    '한국어 사용자',
    'emoji 🚩',
    'x'.repeat(300),
    'regex .*+?^$()[]{}|',
    'trailing\\',
    '"',
    '',
    '{curly}',
    'a=b,c="d"',
  ];
  const challenges: Challenge[] = hostile.map((user, i) => ({
    metadata: {
      name: `c-${i}`,
      namespace: 'ctf',
      labels: {
        'apps.hexactf.io/challengeId': `id-${hostile[(i + 1) % hostile.length]}`,
        'apps.hexactf.io/user': user,
      },
    },
    spec: { definition: 'weird"def' },
    status: { currentStatus: { state: 'Running' } },
  }));
  const def = {
    metadata: { name: 'weird"def', namespace: 'ctf' },
    spec: { category: 'c\\a"t\negory', components: [] },
  } as unknown as ChallengeDefinition;
  const live = new Map(challenges.map((c) => [`ctf/${c.metadata.name}`, c]));
  const collector = new ChallengeCollector(
    {
      challenges: () => live.values(),
      get: (k) => live.get(k),
      definitions: () => [def],
      definition: (_ns, n) => (n === def.metadata.name ? def : undefined),
    },
    new FakeClock(),
    60_000
  );
  let server: BoundServer;
  before(async () => {
    server = await listen('127.0.0.1:0', {
      '/metrics': async (_q, res) => {
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
        await collector.renderTo((c) => res.write(c));
        res.end();
      },
    });
  });
  after(() => server.close());

  test('promtool check metrics accepts the text', async () => {
    const text = await (await fetch(`${server.url}/metrics`)).text();
    const r = promtoolCheckMetrics(text);
    assert.equal(r.status, 0, r.output);
    assert.equal(parseSeries(text, STATUS_METRIC).size, hostile.length);
  });

  test('a real Prometheus scrape stores every label value exactly as the Challenge had it', async () => {
    const prom = await startPrometheus({
      config: scrapeConfig({ hostile: `${server.url}/metrics`, operator: f.manager!.metricsUrl! }),
    });
    try {
      await prom.waitForScrapes(2);
      const stored = await waitFor('all series stored', async () => {
        const s = await prom.series('challenge_resource_status{job="hostile"}');
        return s.length === hostile.length ? s : undefined;
      });
      assert.deepEqual(stored.map((s) => s.username ?? '').sort(), [...hostile].sort());
      for (const s of stored) {
        const ch = live.get(`ctf/${s.challenge_name}`)!;
        assert.equal(s.challenge_id ?? '', ch.metadata.labels!['apps.hexactf.io/challengeId']);
      }
      const info = await prom.series('challenge_info{job="hostile"}');
      assert.ok(
        info.length === hostile.length &&
          info.every((s) => s.definition === 'weird"def' && s.category === 'c\\a"t\negory')
      );
      // The operator's own series, with the 63-character and dotted usernames, made it in as well.
      const ours = await prom.series(`challenge_resource_status{job="operator",namespace="${f.ns}"}`);
      for (const u of users) {
        assert.ok(
          ours.some((s) => s.username === u.user && s.challenge_id === u.id),
          u.user
        );
      }
    } finally {
      await prom.stop();
    }
  });
});
