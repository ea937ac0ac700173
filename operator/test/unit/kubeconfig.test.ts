import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { inClusterConfig, loadKubeconfig, type HttpsOptions } from '../../src/kube/kubeconfig.ts';

function kubeconfig(dir: string, user: Record<string, unknown>, cluster: Record<string, unknown> = {}): string {
  const path = join(dir, 'config');
  writeFileSync(
    path,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      'current-context': 'b',
      contexts: [
        { name: 'a', context: { cluster: 'x', user: 'x' } },
        { name: 'b', context: { cluster: 'c', user: 'u' } },
      ],
      clusters: [{ name: 'c', cluster: { server: 'https://127.0.0.1:6443', ...cluster } }],
      users: [{ name: 'u', user }],
    })
  );
  return path;
}

test('the current context: server, CA and client certificate (data or files relative to the kubeconfig), token', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kc-'));
  writeFileSync(join(dir, 'client.key'), 'KEY');
  const path = kubeconfig(
    dir,
    { 'client-certificate-data': Buffer.from('CERT').toString('base64'), 'client-key': 'client.key', token: 't0k' },
    {
      'certificate-authority-data': Buffer.from('CA').toString('base64'),
      'tls-server-name': 'kubernetes',
    }
  );
  const kc = await loadKubeconfig(path);
  assert.equal(kc.getCurrentCluster()?.server, 'https://127.0.0.1:6443');
  const opts: HttpsOptions = {};
  await kc.applyToHTTPSOptions(opts);
  assert.equal(String(opts.ca), 'CA');
  assert.equal(String(opts.cert), 'CERT');
  assert.equal(String(opts.key), 'KEY');
  assert.equal(opts.servername, 'kubernetes');
  assert.equal(opts.rejectUnauthorized, undefined);
  assert.deepEqual(opts.headers, { Authorization: 'Bearer t0k' });
});

test('insecure-skip-tls-verify, basic auth, token files', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kc-'));
  const opts: HttpsOptions = {};
  await (
    await loadKubeconfig(kubeconfig(dir, { username: 'admin', password: 'pw' }, { 'insecure-skip-tls-verify': true }))
  ).applyToHTTPSOptions(opts);
  assert.equal(opts.rejectUnauthorized, false);
  assert.deepEqual(opts.headers, { Authorization: `Basic ${Buffer.from('admin:pw').toString('base64')}` });
  writeFileSync(join(dir, 'tok'), 'from-file\n');
  const viaFile: HttpsOptions = {};
  await (await loadKubeconfig(kubeconfig(dir, { tokenFile: 'tok' }))).applyToHTTPSOptions(viaFile);
  assert.deepEqual(viaFile.headers, { Authorization: 'Bearer from-file' });
});

test('a missing context or cluster is a clear error', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kc-'));
  const path = join(dir, 'config');
  writeFileSync(path, stringify({ 'current-context': 'nope', contexts: [] }));
  await assert.rejects(loadKubeconfig(path), /no context named "nope"/);
});

test('in cluster: the service account token and CA, the service host (IPv6 in brackets)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sa-'));
  writeFileSync(join(dir, 'token'), 'sa-token');
  writeFileSync(join(dir, 'ca.crt'), 'SACA');
  const kc = inClusterConfig({ KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '443' }, dir);
  assert.equal(kc.getCurrentCluster()?.server, 'https://[fd00::1]:443');
  const opts: HttpsOptions = {};
  await kc.applyToHTTPSOptions(opts);
  assert.equal(String(opts.ca), 'SACA');
  assert.deepEqual(opts.headers, { Authorization: 'Bearer sa-token' });
  assert.throws(() => inClusterConfig({}, dir), /not running in a cluster/);
});
