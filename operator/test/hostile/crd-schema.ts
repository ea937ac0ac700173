// What the CRD schema tests share (challenge-schema.test.ts, definition-schema.test.ts): a namespace on the test
// apiserver, builders of well-formed objects with one field spoiled, and `refused`, which expects the apiserver's
// 422 Invalid naming the offending field.
import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { CustomObjectsApi } from '@kubernetes/client-node';
import { useTestEnv, type TestEnv } from '../support/test-env.ts';
import { createTestNamespace } from '../support/cluster-setup.ts';
import { definitionSpec } from '../integration/harness.ts';

export const G = { group: 'apps.hexactf.io', version: 'v1alpha1' };
let env: TestEnv;
export let custom: CustomObjectsApi;
export let ns: string;
let seq = 0;

/** Registers the file's hooks: the shared test env, a client and a namespace of its own. */
export function withSchemaNamespace(): void {
  before(async () => {
    env = await useTestEnv();
    custom = env.kubeConfig.makeApiClient(CustomObjectsApi);
    ns = await createTestNamespace(env.kubeConfig, 'hostile-crd');
  });
  after(() => env.stop());
}

export type Obj = Record<string, any>;

export function challenge(mutate: (c: Obj) => void = () => {}): Obj {
  const c: Obj = {
    apiVersion: 'apps.hexactf.io/v1alpha1',
    kind: 'Challenge',
    metadata: { name: `c-${++seq}`, labels: { 'apps.hexactf.io/challengeId': '1', 'apps.hexactf.io/user': 'alice' } },
    spec: { definition: 'web-basic' },
  };
  mutate(c);
  return c;
}

export function definition(mutate: (s: Obj) => void = () => {}): Obj {
  const spec: Obj = structuredClone(definitionSpec());
  mutate(spec);
  return {
    apiVersion: 'apps.hexactf.io/v1alpha1',
    kind: 'ChallengeDefinition',
    metadata: { name: `d-${++seq}` },
    spec,
  };
}

export const create = (plural: string, body: Obj) =>
  custom.createNamespacedCustomObject({ ...G, namespace: ns, plural, body });

/** The apiserver answers 422 and its message names `field`. */
export async function refused(plural: string, body: Obj, field: RegExp): Promise<void> {
  await assert.rejects(create(plural, body), (err: any) => {
    assert.equal(err.code, 422, `expected 422 Invalid, got ${err.code}: ${err.body}`);
    assert.match(String(err.body), field);
    return true;
  });
}

export const c0 = (s: Obj) => s.components[0];
export const dep = (s: Obj) => c0(s).deployment.spec;
export const container = (s: Obj) => dep(s).template.spec.containers[0];
export const svcPort = (s: Obj) => c0(s).service.spec.ports[0];
