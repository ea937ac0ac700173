// Hostile input at the door: the CRD schemas (operator/chart/crds) make the real kube-apiserver refuse malformed
// Challenges and ChallengeDefinitions with 422 Invalid, naming the offending field. Every case is a subtest.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CustomObjectsApi } from '@kubernetes/client-node';
import { useTestEnv, type TestEnv } from '../support/test-env.ts';
import { createTestNamespace } from '../support/cluster-setup.ts';
import { definitionSpec } from '../integration/harness.ts';

const G = { group: 'apps.hexactf.io', version: 'v1alpha1' };
let env: TestEnv;
let custom: CustomObjectsApi;
let ns: string;
let seq = 0;

before(async () => {
  env = await useTestEnv();
  custom = env.kubeConfig.makeApiClient(CustomObjectsApi);
  ns = await createTestNamespace(env.kubeConfig, 'hostile-crd');
});
after(() => env.stop());

type Obj = Record<string, any>;

function challenge(mutate: (c: Obj) => void = () => {}): Obj {
  const c: Obj = {
    apiVersion: 'apps.hexactf.io/v1alpha1',
    kind: 'Challenge',
    metadata: { name: `c-${++seq}`, labels: { 'apps.hexactf.io/challengeId': '1', 'apps.hexactf.io/user': 'alice' } },
    spec: { definition: 'web-basic' },
  };
  mutate(c);
  return c;
}

function definition(mutate: (s: Obj) => void = () => {}): Obj {
  const spec: Obj = structuredClone(definitionSpec());
  mutate(spec);
  return {
    apiVersion: 'apps.hexactf.io/v1alpha1',
    kind: 'ChallengeDefinition',
    metadata: { name: `d-${++seq}` },
    spec,
  };
}

const create = (plural: string, body: Obj) =>
  custom.createNamespacedCustomObject({ ...G, namespace: ns, plural, body });

/** The apiserver answers 422 and its message names `field`. */
async function refused(plural: string, body: Obj, field: RegExp): Promise<void> {
  await assert.rejects(create(plural, body), (err: any) => {
    assert.equal(err.code, 422, `expected 422 Invalid, got ${err.code}: ${err.body}`);
    assert.match(String(err.body), field);
    return true;
  });
}

const c0 = (s: Obj) => s.components[0];
const dep = (s: Obj) => c0(s).deployment.spec;
const container = (s: Obj) => dep(s).template.spec.containers[0];
const svcPort = (s: Obj) => c0(s).service.spec.ports[0];

describe('Challenge schema refuses', () => {
  test('control: a well-formed Challenge is accepted', async () => {
    await create('challenges', challenge());
  });
  test('missing spec', () =>
    refused(
      'challenges',
      challenge((c) => delete c.spec),
      /spec/
    ));
  test('missing definition name (spec.definition absent)', () =>
    refused(
      'challenges',
      challenge((c) => (c.spec = {})),
      /spec\.definition/
    ));
  test('empty definition name ""', () =>
    refused(
      'challenges',
      challenge((c) => (c.spec.definition = '')),
      /spec\.definition/
    ));
  test('definition name with upper case "WebBasic"', () =>
    refused(
      'challenges',
      challenge((c) => (c.spec.definition = 'WebBasic')),
      /spec\.definition/
    ));
  test('definition name with underscore "web_basic"', () =>
    refused(
      'challenges',
      challenge((c) => (c.spec.definition = 'web_basic')),
      /spec\.definition/
    ));
  test('definition name starting with a dash "-web"', () =>
    refused(
      'challenges',
      challenge((c) => (c.spec.definition = '-web')),
      /spec\.definition/
    ));
  test('definition name with a space and regex characters "web.*|x y"', () =>
    refused(
      'challenges',
      challenge((c) => (c.spec.definition = 'web.*|x y')),
      /spec\.definition/
    ));
  test('definition name of 254 characters (oversized)', () =>
    refused(
      'challenges',
      challenge((c) => (c.spec.definition = 'a'.repeat(254))),
      /spec\.definition/
    ));
  test('definition of the wrong type (number)', () =>
    refused(
      'challenges',
      challenge((c) => (c.spec.definition = 42)),
      /spec\.definition/
    ));
  test('definition of the wrong type (object)', () =>
    refused(
      'challenges',
      challenge((c) => (c.spec.definition = { name: 'web' })),
      /spec\.definition/
    ));
  test('spec of the wrong type (string)', () =>
    refused(
      'challenges',
      challenge((c) => (c.spec = 'web-basic')),
      /spec/
    ));
  test('spec.namespace of 64 characters (oversized)', () =>
    refused(
      'challenges',
      challenge((c) => (c.spec.namespace = 'n'.repeat(64))),
      /spec\.namespace/
    ));
  test('bad object name "Bad_Name"', () =>
    refused(
      'challenges',
      challenge((c) => (c.metadata.name = 'Bad_Name')),
      /metadata\.name/
    ));
  test('object name of 254 characters', () =>
    refused(
      'challenges',
      challenge((c) => (c.metadata.name = 'c'.repeat(254))),
      /metadata\.name/
    ));
  test('user label of 64 characters (label values stop at 63)', () =>
    refused(
      'challenges',
      challenge((c) => (c.metadata.labels['apps.hexactf.io/user'] = 'u'.repeat(64))),
      /metadata\.labels/
    ));
  test('user label with unicode "사용자" (not a valid label value)', () =>
    refused(
      'challenges',
      challenge((c) => (c.metadata.labels['apps.hexactf.io/user'] = '사용자')),
      /metadata\.labels/
    ));
  test('user label with regex characters "a*b|c" (not a valid label value)', () =>
    refused(
      'challenges',
      challenge((c) => (c.metadata.labels['apps.hexactf.io/user'] = 'a*b|c')),
      /metadata\.labels/
    ));
  test('user label with a quote and backslash', () =>
    refused(
      'challenges',
      challenge((c) => (c.metadata.labels['apps.hexactf.io/user'] = 'ev"il\\')),
      /metadata\.labels/
    ));
  test('challengeId label with a newline', () =>
    refused(
      'challenges',
      challenge((c) => (c.metadata.labels['apps.hexactf.io/challengeId'] = 'a\nb')),
      /metadata\.labels/
    ));

  describe('on the status subresource', () => {
    const writeStatus = async (status: Obj, field: RegExp) => {
      const ch = (await create('challenges', challenge())) as Obj;
      await assert.rejects(
        custom.replaceNamespacedCustomObjectStatus({
          ...G,
          namespace: ns,
          plural: 'challenges',
          name: ch.metadata.name,
          body: { ...ch, status },
        }),
        (err: any) => {
          assert.equal(err.code, 422, `expected 422, got ${err.code}: ${err.body}`);
          assert.match(String(err.body), field);
          return true;
        }
      );
    };
    test('unknown state "Exploded"', () =>
      writeStatus({ currentStatus: { state: 'Exploded' } }, /status\.currentStatus\.state/));
    test('errorMsg of 1025 characters (oversized)', () =>
      writeStatus(
        { currentStatus: { state: 'Error', errorMsg: 'e'.repeat(1025) } },
        /status\.currentStatus\.errorMsg/
      ));
    test('endpoint port 65536 (out of range)', () => writeStatus({ endpoint: 65536 }, /status\.endpoint/));
    test('endpoint of the wrong type (string)', () => writeStatus({ endpoint: '30080' }, /status\.endpoint/));
    test('condition without reason', () =>
      writeStatus(
        { conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2026-01-01T00:00:00Z', message: '' }] },
        /status\.conditions\[0\]\.reason/
      ));
  });
});

describe('ChallengeDefinition schema refuses', () => {
  test('control: a well-formed ChallengeDefinition is accepted', async () => {
    await create('challengedefinitions', definition());
  });
  test('missing components', () =>
    refused(
      'challengedefinitions',
      definition((s) => delete s.components),
      /spec\.components/
    ));
  test('empty components []', () =>
    refused(
      'challengedefinitions',
      definition((s) => (s.components = [])),
      /spec\.components/
    ));
  test('11 components (more than 10)', () =>
    refused(
      'challengedefinitions',
      definition(
        (s) => (s.components = Array.from({ length: 11 }, (_, i) => ({ ...structuredClone(c0(s)), name: `c${i}` })))
      ),
      /spec\.components/
    ));
  test('components of the wrong type (object)', () =>
    refused(
      'challengedefinitions',
      definition((s) => (s.components = { web: c0(s) })),
      /spec\.components/
    ));
  test('component without a name', () =>
    refused(
      'challengedefinitions',
      definition((s) => delete c0(s).name),
      /name/
    ));
  test('component name with upper case "Web"', () =>
    refused(
      'challengedefinitions',
      definition((s) => (c0(s).name = 'Web')),
      /spec\.components\[0\]\.name/
    ));
  test('component name of 21 characters (oversized)', () =>
    refused(
      'challengedefinitions',
      definition((s) => (c0(s).name = 'a'.repeat(21))),
      /spec\.components\[0\]\.name/
    ));
  test('duplicate component names', () =>
    refused(
      'challengedefinitions',
      definition((s) => s.components.push(structuredClone(c0(s)))),
      /Duplicate value/
    ));
  test('component without a deployment', () =>
    refused(
      'challengedefinitions',
      definition((s) => delete c0(s).deployment),
      /deployment/
    ));
  test('deployment without a pod template', () =>
    refused(
      'challengedefinitions',
      definition((s) => delete dep(s).template),
      /template/
    ));
  test('negative replicas -1', () =>
    refused(
      'challengedefinitions',
      definition((s) => (dep(s).replicas = -1)),
      /replicas/
    ));
  test('replicas 11 (more than 10)', () =>
    refused(
      'challengedefinitions',
      definition((s) => (dep(s).replicas = 11)),
      /replicas/
    ));
  test('replicas of the wrong type ("two")', () =>
    refused(
      'challengedefinitions',
      definition((s) => (dep(s).replicas = 'two')),
      /replicas/
    ));
  test('replicas not an integer (1.5)', () =>
    refused(
      'challengedefinitions',
      definition((s) => (dep(s).replicas = 1.5)),
      /replicas/
    ));
  test('no containers (component with an empty containers list)', () =>
    refused(
      'challengedefinitions',
      definition((s) => (dep(s).template.spec.containers = [])),
      /containers/
    ));
  test('containers missing from the pod spec', () =>
    refused(
      'challengedefinitions',
      definition((s) => delete dep(s).template.spec.containers),
      /containers/
    ));
  test('container without an image', () =>
    refused(
      'challengedefinitions',
      definition((s) => delete container(s).image),
      /image/
    ));
  test('container with an empty image ""', () =>
    refused(
      'challengedefinitions',
      definition((s) => (container(s).image = '')),
      /image/
    ));
  test('image reference of 513 characters (oversized)', () =>
    refused(
      'challengedefinitions',
      definition((s) => (container(s).image = 'i'.repeat(513))),
      /image/
    ));
  test('container name "Web_1"', () =>
    refused(
      'challengedefinitions',
      definition((s) => (container(s).name = 'Web_1')),
      /containers\[0\]\.name/
    ));
  test('containerPort 0 (out of range)', () =>
    refused(
      'challengedefinitions',
      definition((s) => (container(s).ports[0].containerPort = 0)),
      /containerPort/
    ));
  test('containerPort 65536 (out of range)', () =>
    refused(
      'challengedefinitions',
      definition((s) => (container(s).ports[0].containerPort = 65536)),
      /containerPort/
    ));
  test('containerPort of the wrong type ("http")', () =>
    refused(
      'challengedefinitions',
      definition((s) => (container(s).ports[0].containerPort = 'http')),
      /containerPort/
    ));
  test('container port protocol "HTTP"', () =>
    refused(
      'challengedefinitions',
      definition((s) => (container(s).ports[0].protocol = 'HTTP')),
      /protocol/
    ));
  test('service without ports', () =>
    refused(
      'challengedefinitions',
      definition((s) => delete c0(s).service.spec.ports),
      /ports/
    ));
  test('service port 0 (out of range)', () =>
    refused(
      'challengedefinitions',
      definition((s) => (svcPort(s).port = 0)),
      /port/
    ));
  test('service port -80 (negative)', () =>
    refused(
      'challengedefinitions',
      definition((s) => (svcPort(s).port = -80)),
      /port/
    ));
  test('service port 65536 (out of range)', () =>
    refused(
      'challengedefinitions',
      definition((s) => (svcPort(s).port = 65536)),
      /port/
    ));
  test('nodePort 29999 (below the NodePort range)', () =>
    refused(
      'challengedefinitions',
      definition((s) => (svcPort(s).nodePort = 29999)),
      /nodePort/
    ));
  test('nodePort 32768 (above the NodePort range)', () =>
    refused(
      'challengedefinitions',
      definition((s) => (svcPort(s).nodePort = 32768)),
      /nodePort/
    ));
  test('service port name of 16 characters (oversized)', () =>
    refused(
      'challengedefinitions',
      definition((s) => (svcPort(s).name = 'p'.repeat(16))),
      /name/
    ));
  test('service type ExternalName', () =>
    refused(
      'challengedefinitions',
      definition((s) => (c0(s).service.spec.type = 'ExternalName')),
      /type/
    ));
  test('isOne of the wrong type ("yes")', () =>
    refused(
      'challengedefinitions',
      definition((s) => (s.isOne = 'yes')),
      /isOne/
    ));
  test('category of 33 characters (oversized)', () =>
    refused(
      'challengedefinitions',
      definition((s) => (s.category = 'c'.repeat(33))),
      /category/
    ));
  test('category with upper case "Web"', () =>
    refused(
      'challengedefinitions',
      definition((s) => (s.category = 'Web')),
      /category/
    ));
  test('category of the wrong type (number)', () =>
    refused(
      'challengedefinitions',
      definition((s) => (s.category = 7)),
      /category/
    ));
  test('pod template label value of 64 characters (oversized)', () =>
    refused(
      'challengedefinitions',
      definition((s) => (dep(s).template.metadata = { labels: { tier: 'x'.repeat(64) } })),
      /labels/
    ));
  test('nodeSelector value of 64 characters (oversized)', () =>
    refused(
      'challengedefinitions',
      definition((s) => (dep(s).template.spec.nodeSelector = { pool: 'x'.repeat(64) })),
      /nodeSelector/
    ));
});
