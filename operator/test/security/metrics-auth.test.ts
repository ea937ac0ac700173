// Secure metrics on the real apiserver (RBAC on): the operator runs in-process as the chart's ServiceAccount with
// the chart's RBAC and --metrics-secure, and /metrics over HTTPS refuses a request without a token (401) and a
// token without the grant (403), and serves a token bound to the chart's metrics-reader ClusterRole (200).
import assert from 'node:assert/strict';
import { waitFor } from '@hexactf/testing/wait';
import { request } from 'node:https';
import { X509Certificate } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { CoreV1Api, CustomObjectsApi, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import { STATUS_METRIC } from '@hexactf/contract';
import type { Manager } from '../../src/manager.ts';
import { newOperator } from '../../src/operator.ts';
import { selfSignedCert } from '../../src/server/self-signed.ts';
import { renderChart } from '../chart/helm.ts';
import { create, serviceAccountKubeConfig } from '../chart/kube.ts';
import { useTestEnv, type TestEnv } from '../support/test-env.ts';
import { createTestNamespace } from '../support/cluster-setup.ts';

let env: TestEnv;
before(async () => {
  env = await useTestEnv({ authorizationMode: 'RBAC' });
  await env.installCrds();
});
after(async () => env?.stop());

function get(url: string, token?: string): Promise<{ status: number; body: string; cert?: X509Certificate }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { rejectUnauthorized: false, headers: token ? { authorization: `Bearer ${token}` } : {} },
      (res) => {
        const chunks: Buffer[] = [];
        const raw = (res.socket as import('node:tls').TLSSocket).getPeerX509Certificate?.();
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString(), cert: raw })
        );
      }
    );
    req.on('error', reject);
    req.end();
  });
}

function getWithHeaders(url: string, token: string): Promise<{ status: number; retryAfter?: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { rejectUnauthorized: false, headers: { authorization: `Bearer ${token}` } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'] }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function tokenFor(namespace: string, name: string): Promise<string> {
  const core = env.kubeConfig.makeApiClient(CoreV1Api);
  await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name } } }).catch(() => undefined);
  const tr = await core.createNamespacedServiceAccountToken({
    namespace,
    name,
    body: { spec: { audiences: [], expirationSeconds: 3600 } },
  });
  return tr.status!.token!;
}

describe('--metrics-secure', () => {
  let ns: string;
  let manager: Manager;
  let url: string;
  before(async () => {
    ns = await createTestNamespace(env.kubeConfig, 'metrics-secure');
    const challengeNs = await createTestNamespace(env.kubeConfig, 'metrics-secure-ch');
    const objs = renderChart({ release: ns, namespace: ns, set: [`challengeNamespaces={${challengeNs}}`] });
    for (const obj of objs.filter((o) =>
      ['ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding'].includes(o.kind)
    )) {
      await create(env.kubeConfig, obj as any);
    }
    const sa = await serviceAccountKubeConfig(env.kubeConfig, ns, `${ns}-challenge-operator`);
    // One Challenge so the body has a challenge series to look for.
    const custom = env.kubeConfig.makeApiClient(CustomObjectsApi);
    await custom.createNamespacedCustomObject({
      group: 'apps.hexactf.io',
      version: 'v1alpha1',
      namespace: challengeNs,
      plural: 'challenges',
      body: {
        apiVersion: 'apps.hexactf.io/v1alpha1',
        kind: 'Challenge',
        metadata: { name: 'c1', labels: { 'apps.hexactf.io/challengeId': '7', 'apps.hexactf.io/user': 'alice' } },
        spec: { definition: 'missing' },
      },
    });
    manager = newOperator({
      kubeConfig: sa,
      flags: {
        namespace: challengeNs,
        metricsBindAddress: '127.0.0.1:0',
        healthProbeBindAddress: '0',
        metricsSecure: true,
        seriesStateConfigMap: '',
      },
      defaultMetrics: false,
    }).manager;
    await manager.start();
    url = manager.metricsUrl!;
  });
  after(async () => manager?.stop());

  it('serves HTTPS with a self-signed certificate for the pod', async () => {
    assert.match(url, /^https:\/\//);
    const r = await get(url);
    assert.ok(r.cert, 'a TLS peer certificate');
    assert.ok(r.cert!.verify(r.cert!.publicKey), 'self-signed');
    assert.equal(r.cert!.checkIP('127.0.0.1'), '127.0.0.1');
  });

  it('refuses a request without a token (401) and with an invalid token (401)', async () => {
    assert.equal((await get(url)).status, 401);
    assert.equal((await get(url, 'not-a-token')).status, 401);
  });

  it('refuses a valid token without the grant (403)', async () => {
    const r = await get(url, await tokenFor(ns, 'nobody'));
    assert.equal(r.status, 403, r.body);
    assert.match(r.body, /may not get \/metrics/);
  });

  it("serves a token bound to the chart's metrics-reader ClusterRole (200)", async () => {
    const token = await tokenFor(ns, 'prometheus');
    await env.kubeConfig.makeApiClient(RbacAuthorizationV1Api).createClusterRoleBinding({
      body: {
        metadata: { name: `${ns}-reader` },
        roleRef: {
          apiGroup: 'rbac.authorization.k8s.io',
          kind: 'ClusterRole',
          name: `${ns}-challenge-operator-metrics-reader`,
        },
        subjects: [{ kind: 'ServiceAccount', name: 'prometheus', namespace: ns }],
      },
    });
    // Until the RBAC caches settle in the apiserver.
    const allowed = async () => {
      const got = await get(url, token);
      return got.status === 200 && got;
    };
    const r = await waitFor('the binding to take effect', allowed, 5000, 100).catch(() => get(url, token));
    assert.equal(r.status, 200, r.body);
    assert.match(r.body, new RegExp(`${STATUS_METRIC}\\{`));
    assert.match(r.body, /username="alice"/, 'the player names the metrics carry');
  });

  it('32 concurrent scrapes with one token are all served, with one review of the token', async () => {
    const token = await tokenFor(ns, 'prometheus');
    const results = await Promise.all(Array.from({ length: 32 }, () => get(url, token)));
    assert.deepEqual(
      results.map((r) => r.status),
      Array(32).fill(200)
    );
    assert.ok(results.every((r) => r.body.includes('username="alice"')));
  });

  it('a refused token is answered from the negative cache; an allowed one from the positive cache', async () => {
    const stats = manager.metricsAuth!.stats;
    const before = stats.reviews;
    const bogus = Array.from({ length: 20 }, () => get(url, 'the-same-bogus-token'));
    assert.deepEqual(new Set((await Promise.all(bogus)).map((r) => r.status)), new Set([401]));
    assert.equal((await get(url, 'the-same-bogus-token')).status, 401);
    assert.equal(stats.reviews - before, 1, 'one review for 21 requests with one refused token');
    const token = await tokenFor(ns, 'prometheus');
    await get(url, token);
    const reviewed = stats.reviews;
    for (let k = 0; k < 5; k++) {
      assert.equal((await get(url, token)).status, 200);
    }
    assert.equal(stats.reviews, reviewed, 'no review while the allowed verdict is cached');
  });

  it('reviews beyond --metrics-auth-max-inflight are answered 503 with Retry-After at once', async () => {
    const m = newOperator({
      kubeConfig: env.kubeConfig,
      flags: {
        namespace: ns,
        metricsBindAddress: '127.0.0.1:0',
        healthProbeBindAddress: '0',
        metricsSecure: true,
        metricsAuthMaxInflight: 2,
        seriesStateConfigMap: '',
      },
      defaultMetrics: false,
    }).manager;
    await m.start();
    try {
      const answers = await Promise.all(
        Array.from({ length: 40 }, (_, k) => getWithHeaders(m.metricsUrl!, `bogus-${k}`))
      );
      const busy = answers.filter((a) => a.status === 503);
      assert.ok(busy.length > 0, 'some requests found the budget full');
      assert.ok(busy.every((a) => a.retryAfter === '1'));
      assert.ok(answers.every((a) => a.status === 401 || a.status === 503));
      assert.ok(m.metricsAuth!.stats.reviews <= 40 - busy.length);
    } finally {
      await m.stop();
    }
  });

  it('a certificate from --metrics-cert-dir is served as given', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'hexactf-metrics-cert-'));
    const pair = selfSignedCert('from-files', ['127.0.0.1']);
    writeFileSync(join(dir, 'tls.crt'), pair.cert);
    writeFileSync(join(dir, 'tls.key'), pair.key);
    const m = newOperator({
      kubeConfig: env.kubeConfig,
      flags: {
        namespace: ns,
        metricsBindAddress: '127.0.0.1:0',
        healthProbeBindAddress: '0',
        metricsSecure: true,
        metricsCertDir: dir,
        seriesStateConfigMap: '',
      },
      defaultMetrics: false,
    }).manager;
    await m.start();
    try {
      const r = await get(m.metricsUrl!);
      assert.equal(r.status, 401);
      assert.equal(r.cert!.fingerprint256.replaceAll(':', '').toLowerCase(), pair.fingerprint);
    } finally {
      await m.stop();
    }
  });
});
