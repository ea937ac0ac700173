// The fence of the controllers' client (kube/rest.ts, set by the manager when the Lease is lost), on the real
// apiserver: a write still waiting in the client-side bucket when the fence goes up is never sent, a read still is,
// and writes go out again once it is down.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { CoreV1Api } from '@kubernetes/client-node';
import { RestClient } from '../../src/kube/rest.ts';
import { TokenBucket } from '../../src/kube/rate-limiter.ts';
import { useTestEnv, type TestEnv } from '../support/test-env.ts';
import { createTestNamespace } from '../support/cluster-setup.ts';

let env: TestEnv;
before(async () => {
  env = await useTestEnv();
});
after(async () => env?.stop());

test('a write queued before the fence went up is not sent; reads are; writes resume when it is down', async () => {
  const ns = await createTestNamespace(env.kubeConfig, 'fence');
  let fenced: string | undefined;
  // One request per 2 s after the first: the second write waits in the bucket while the fence goes up.
  const rest = new RestClient(env.kubeConfig, { limiter: new TokenBucket(0.5, 1), fence: () => fenced });
  const cm = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name } });
  const path = `/api/v1/namespaces/${ns}/configmaps`;
  try {
    await rest.request('POST', path, { body: cm('before') });
    const queued = rest.request('POST', path, { body: cm('queued') });
    fenced = 'lost the Lease';
    await assert.rejects(queued, /not sent: lost the Lease/);
    const list = await rest.get<{ items: Array<{ metadata: { name: string } }> }>(path);
    assert.deepEqual(
      list.items.map((i) => i.metadata.name),
      ['before']
    );
    fenced = undefined;
    await rest.request('POST', path, { body: cm('after') });
    const names = (await env.kubeConfig.makeApiClient(CoreV1Api).listNamespacedConfigMap({ namespace: ns })).items
      .map((i) => i.metadata!.name)
      .filter((n) => n !== 'kube-root-ca.crt')
      .sort();
    assert.deepEqual(names, ['after', 'before']);
  } finally {
    await rest.close();
  }
});
