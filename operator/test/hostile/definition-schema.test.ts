// Hostile input at the door, ChallengeDefinitions: the CRD schema (operator/chart/crds) makes the real
// kube-apiserver refuse malformed ChallengeDefinitions with 422 Invalid naming the offending field. Every case is a
// subtest; crd-schema.ts builds the objects.
import { describe, test } from 'node:test';
import { c0, container, create, definition, dep, refused, svcPort, withSchemaNamespace } from './crd-schema.ts';

withSchemaNamespace();

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
