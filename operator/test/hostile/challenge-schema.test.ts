// Hostile input at the door, Challenges: the CRD schema (operator/chart/crds) makes the real kube-apiserver refuse
// malformed Challenges, and malformed writes of their status, with 422 Invalid naming the offending field. Every
// case is a subtest; crd-schema.ts builds the objects.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { G, challenge, create, custom, ns, refused, withSchemaNamespace, type Obj } from './crd-schema.ts';

withSchemaNamespace();

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
