// The CRDs refuse bad input at the door.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiextensionsV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { Fixture, definitionSpec } from './harness.ts';

test('schema validation refuses bad definitions and challenges', async (t) => {
  const f = await Fixture.create('crd', {}, false);
  t.after(() => f.close());
  const refuse = async (what: string, p: Promise<unknown>, pattern: RegExp) => {
    await assert.rejects(p, (err: any) => {
      assert.equal(err.code, 422, what);
      assert.match(String(err.body), pattern, what);
      return true;
    });
  };
  const spec = definitionSpec();
  const web = spec.components[0];
  const bad = (patch: (s: any) => void) => {
    const s = structuredClone(spec) as any;
    patch(s);
    return s;
  };
  await refuse(
    'no components',
    f.createDefinition(
      'd1',
      bad((s) => (s.components = []))
    ),
    /components/
  );
  await refuse(
    'uppercase component',
    f.createDefinition(
      'd2',
      bad((s) => (s.components[0].name = 'Web'))
    ),
    /name/
  );
  await refuse(
    'replicas > 10',
    f.createDefinition(
      'd3',
      bad((s) => (s.components[0].deployment.spec.replicas = 11))
    ),
    /replicas/
  );
  await refuse(
    'no containers',
    f.createDefinition(
      'd4',
      bad((s) => (s.components[0].deployment.spec.template.spec.containers = []))
    ),
    /containers/
  );
  await refuse(
    'container without image',
    f.createDefinition(
      'd5',
      bad((s) => delete s.components[0].deployment.spec.template.spec.containers[0].image)
    ),
    /image/
  );
  await refuse(
    'port 0',
    f.createDefinition(
      'd6',
      bad((s) => (s.components[0].service.spec.ports[0].port = 0))
    ),
    /port/
  );
  await refuse(
    'nodePort 80',
    f.createDefinition(
      'd7',
      bad((s) => (s.components[0].service.spec.ports[0].nodePort = 80))
    ),
    /nodePort/
  );
  await refuse(
    'category too long',
    f.createDefinition(
      'd8',
      bad((s) => (s.category = 'x'.repeat(33)))
    ),
    /category/
  );
  assert.ok(web);
  await refuse(
    'challenge without definition',
    f.custom.createNamespacedCustomObject({
      group: 'apps.hexactf.io',
      version: 'v1alpha1',
      namespace: f.ns,
      plural: 'challenges',
      body: { apiVersion: 'apps.hexactf.io/v1alpha1', kind: 'Challenge', metadata: { name: 'c' }, spec: {} },
    }),
    /definition/
  );
  await refuse(
    'definition name not a DNS name',
    f.createChallenge('c2', { user: 'u', definition: 'Not_A_Name' }),
    /definition/
  );
  const ok = await f.createDefinition('fine', definitionSpec({ nodePort: 30001 }));
  assert.equal(ok.spec.components[0].deployment.spec.replicas, 1);
  assert.equal(ok.spec.isOne, false);
});

test('printer columns, short names and categories', async () => {
  const f = await Fixture.create('crdmeta', {}, false);
  const api = f.kc.makeApiClient(ApiextensionsV1Api);
  const ch = await api.readCustomResourceDefinition({ name: 'challenges.apps.hexactf.io' });
  assert.deepEqual(ch.spec.names.shortNames, ['chal', 'chals']);
  assert.deepEqual(ch.spec.names.categories, ['hexactf']);
  const cols = ch.spec.versions[0].additionalPrinterColumns!.map((c) => c.name);
  for (const c of ['User', 'Challenge', 'State', 'Endpoint', 'Age']) {
    assert.ok(cols.includes(c), c);
  }
  assert.deepEqual(ch.spec.versions[0].subresources?.status, {});
  const def = await api.readCustomResourceDefinition({ name: 'challengedefinitions.apps.hexactf.io' });
  assert.deepEqual(def.spec.names.shortNames, ['chaldef', 'chaldefs']);

  // What `kubectl get chal` prints: the apiserver's Table rendering of the printer columns.
  await f.createChallenge('c-table', { user: 'uma', challengeId: '42', definition: 'web-basic' });
  await f.custom.patchNamespacedCustomObjectStatus(
    {
      group: 'apps.hexactf.io',
      version: 'v1alpha1',
      namespace: f.ns,
      plural: 'challenges',
      name: 'c-table',
      body: { status: { currentStatus: { state: 'Running' }, endpoint: 31000 } },
    },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch)
  );
  const table: any = await f.custom.listNamespacedCustomObject(
    { group: 'apps.hexactf.io', version: 'v1alpha1', namespace: f.ns, plural: 'challenges' },
    setHeaderOptions('Accept', 'application/json;as=Table;g=meta.k8s.io;v=v1')
  );
  const names = table.columnDefinitions.map((c: any) => c.name);
  const row = Object.fromEntries(names.map((n: string, i: number) => [n, table.rows[0].cells[i]]));
  assert.deepEqual(
    [row.Name, row.User, row.Challenge, row.State, row.Endpoint],
    ['c-table', 'uma', '42', 'Running', 31000]
  );
});
