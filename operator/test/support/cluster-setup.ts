// What tests put into a test control plane: CRDs (applied as raw JSON), other objects, a namespace per test.
import { readdirSync, readFileSync } from 'node:fs';
import { request } from 'node:https';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiextensionsV1Api, CoreV1Api, KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';

/** The CRDs live only here (team convention); every test loads them from this directory. */
export const defaultCrdDir = resolve(import.meta.dirname, '../../chart/crds');

/**
 * Server-side apply of one object as raw JSON. Not through client-node's typed serializer: it knows CRD schemas
 * only by its TypeScript property names (`_enum`, `xKubernetesListType`, ...), so `enum`, `x-kubernetes-list-type`,
 * `x-kubernetes-preserve-unknown-fields` and friends read from YAML were silently dropped, and the tests ran
 * against weaker CRDs than `helm install` creates.
 */
export async function applyRaw(
  kc: KubeConfig,
  obj: KubernetesObject,
  fieldManager = 'hexactf-test-env'
): Promise<void> {
  const [group, version] = obj.apiVersion!.includes('/') ? obj.apiVersion!.split('/') : ['', obj.apiVersion!];
  const plural = `${obj.kind!.toLowerCase()}s`;
  const base = group ? `/apis/${group}/${version}` : `/api/${version}`;
  const ns = obj.metadata?.namespace ? `/namespaces/${obj.metadata.namespace}` : '';
  const url = new URL(
    `${kc.getCurrentCluster()!.server}${base}${ns}/${plural}/${obj.metadata!.name}?fieldManager=${fieldManager}&force=true`
  );
  const opts: import('node:https').RequestOptions = {
    method: 'PATCH',
    headers: { 'content-type': 'application/apply-patch+yaml' },
  };
  await kc.applyToHTTPSOptions(opts);
  const body = JSON.stringify(obj);
  await new Promise<void>((res, rej) => {
    const req = request(url, opts, (r) => {
      let text = '';
      r.on('data', (b) => (text += b));
      r.on('end', () =>
        (r.statusCode ?? 0) < 300
          ? res()
          : rej(new Error(`apply ${obj.kind} ${obj.metadata!.name}: ${r.statusCode} ${text}`))
      );
    });
    req.on('error', rej);
    req.end(body);
  });
}

/** Server-side applies every document of every .yaml/.yml file in dir, then waits until each CRD is Established. */
export async function installCrds(kc: KubeConfig, dir: string = defaultCrdDir, timeoutMs = 30_000): Promise<void> {
  const extensions = kc.makeApiClient(ApiextensionsV1Api);
  const files = readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort();
  if (files.length === 0) {
    throw new Error(`no YAML files in ${dir}`);
  }
  const crdNames: string[] = [];
  for (const file of files) {
    for (const doc of parseAllDocuments(readFileSync(join(dir, file), 'utf8'))) {
      if (doc.errors.length > 0) {
        throw new Error(`${file}: ${doc.errors[0].message}`);
      }
      const obj = doc.toJS() as KubernetesObject | null;
      if (!obj) {
        continue;
      }
      await applyRaw(kc, obj);
      if (obj.kind === 'CustomResourceDefinition') {
        crdNames.push(obj.metadata!.name!);
      }
    }
  }
  const deadline = Date.now() + timeoutMs;
  for (const name of crdNames) {
    while (true) {
      const crd = await extensions.readCustomResourceDefinition({ name });
      if (crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True')) {
        break;
      }
      if (Date.now() > deadline) {
        throw new Error(`CRD ${name} not Established after ${timeoutMs} ms`);
      }
      await sleep(100); // the poll interval of this check (it has its own deadline and error)
    }
  }
}

/**
 * A fresh namespace named `<prefix>-<random>`, labelled so it can be told apart. Tests isolate by namespace; there is
 * no namespace controller here, so deleting one would leave it Terminating forever: they are simply left behind.
 */
export async function createTestNamespace(kc: KubeConfig, prefix: string): Promise<string> {
  const core = kc.makeApiClient(CoreV1Api);
  const ns = await core.createNamespace({
    body: { metadata: { generateName: `${prefix}-`, labels: { 'hexactf.io/test-env': 'true' } } },
  });
  return ns.metadata!.name!;
}
