// Child names and ownership on the real apiserver: a child name already taken by another Challenge's object puts
// the newcomer in Error ChildNameConflict; the other object is neither changed nor deleted, not even when the
// newcomer is deleted. (64-bit hashes make a real collision impractical to find, so the test takes the name.)
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { childName } from '../../src/controller/naming.ts';
import { getCondition } from '../../src/controller/status.ts';
import { Fixture, definitionSpec } from '../integration/harness.ts';

describe('child name collisions', () => {
  let f: Fixture;
  before(async () => {
    f = await Fixture.create('names');
  });
  after(async () => f?.close());

  it('a child name owned by another Challenge: Error ChildNameConflict, the other child untouched and never deleted', async () => {
    await f.createDefinition('web', definitionSpec());
    // "other" holds the name. It stays in Error (its definition is missing), so its own reconciles leave its
    // children alone: the object stands for another instance's child, as a real hash collision would make it.
    const other = await f.createChallenge('other', { user: 'mallory', definition: 'missing' });
    await f.waitForState('other', 'Error');
    const name = childName('victim', '1', 'alice', 'web');
    await f.apps.createNamespacedDeployment({
      namespace: f.ns,
      body: {
        metadata: {
          name,
          labels: { 'app.kubernetes.io/managed-by': 'hexactf-challenge-operator', app: 'theirs' },
          ownerReferences: [
            {
              apiVersion: 'apps.hexactf.io/v1alpha1',
              kind: 'Challenge',
              name: 'other',
              uid: other.metadata.uid!,
              controller: true,
            },
          ],
        },
        spec: {
          selector: { matchLabels: { app: 'theirs' } },
          template: {
            metadata: { labels: { app: 'theirs' } },
            spec: { containers: [{ name: 'web', image: 'example.test/theirs:1' }] },
          },
        },
      },
    });
    const before = await f.apps.readNamespacedDeployment({ namespace: f.ns, name });

    await f.createChallenge('victim', { user: 'alice', definition: 'web' });
    const ch = await f.waitForState('victim', 'Error');
    assert.equal(getCondition(ch.status, 'Ready')?.reason, 'ChildNameConflict');
    assert.match(
      ch.status!.currentStatus!.errorMsg!,
      new RegExp(`Deployment ${name} already exists and belongs to Challenge other`)
    );
    assert.equal(ch.status!.endpoint, undefined, 'no endpoint from a Service it does not own');

    await f.deleteChallenge('victim');
    await f.waitForGone('victim');
    const afterwards = await f.apps.readNamespacedDeployment({ namespace: f.ns, name });
    assert.equal(afterwards.metadata!.uid, before.metadata!.uid, 'not deleted');
    assert.equal(afterwards.metadata!.resourceVersion, before.metadata!.resourceVersion, 'not changed');
    assert.equal(afterwards.spec!.template.spec!.containers[0].image, 'example.test/theirs:1');
  });

  it('a same-name object the operator does not watch (no managed-by label) is not taken over: ChildNameConflict', async () => {
    const name = childName('victim2', '1', 'bob', 'web');
    await f.apps.createNamespacedDeployment({
      namespace: f.ns,
      body: {
        metadata: { name, labels: { app: 'someone-elses' } },
        spec: {
          selector: { matchLabels: { app: 'someone-elses' } },
          template: {
            metadata: { labels: { app: 'someone-elses' } },
            spec: { containers: [{ name: 'web', image: 'example.test/other:1' }] },
          },
        },
      },
    });
    const before = await f.apps.readNamespacedDeployment({ namespace: f.ns, name });
    await f.createChallenge('victim2', { user: 'bob', definition: 'web' });
    const ch = await f.waitForState('victim2', 'Error');
    assert.equal(getCondition(ch.status, 'Ready')?.reason, 'ChildNameConflict', ch.status?.currentStatus?.errorMsg);
    const afterwards = await f.apps.readNamespacedDeployment({ namespace: f.ns, name });
    assert.equal(afterwards.metadata!.resourceVersion, before.metadata!.resourceVersion, 'not changed');
    assert.equal(afterwards.metadata!.ownerReferences, undefined);
  });

  it('child names carry 64 bits of hash', () => {
    assert.match(childName('c', '1', 'alice', 'web'), /-[0-9a-f]{16}$/);
  });
});
