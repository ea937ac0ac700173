// Deleted or edited children are restored.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor } from '@hexactf/testing/wait';
import { Fixture } from './harness.ts';

test('a deleted Deployment or Service is recreated and an edited one restored', async (t) => {
  const f = await Fixture.create('heal');
  t.after(() => f.close());
  await f.createDefinition('web-basic');
  await f.createChallenge('c-mia', { user: 'mia', definition: 'web-basic' });
  const [d] = await f.waitForDeployments('c-mia', 1);
  const name = d.metadata!.name!;
  await f.markAvailable(name);
  const running = await f.waitForState('c-mia', 'Running');

  // Deleted Deployment: recreated under the same name (new uid).
  await f.apps.deleteNamespacedDeployment({ name, namespace: f.ns });
  const recreated = await waitFor('deployment recreated', async () => {
    const [x] = await f.deploymentsOf(running);
    return x && x.metadata!.uid !== d.metadata!.uid ? x : undefined;
  });
  assert.equal(recreated.metadata!.name, name);

  // Edited Deployment: image and replicas restored.
  await f.apps.patchNamespacedDeployment({
    name,
    namespace: f.ns,
    body: [
      { op: 'replace', path: '/spec/template/spec/containers/0/image', value: 'evil:latest' },
      { op: 'replace', path: '/spec/replicas', value: 5 },
    ],
  });
  await waitFor('deployment restored', async () => {
    const x = await f.apps.readNamespacedDeployment({ name, namespace: f.ns });
    return x.spec!.template.spec!.containers[0].image === 'nginx:1.27' && x.spec!.replicas === 1;
  });

  // Deleted Service: recreated, and the endpoint follows the newly allocated NodePort.
  const [svc] = await f.servicesOf(running);
  await f.core.deleteNamespacedService({ name: svc.metadata!.name!, namespace: f.ns });
  const svc2 = await waitFor('service recreated', async () => {
    const [x] = await f.servicesOf(running);
    return x && x.metadata!.uid !== svc.metadata!.uid ? x : undefined;
  });
  await waitFor(
    'endpoint updated',
    async () => (await f.getChallenge('c-mia'))?.status?.endpoint === svc2.spec!.ports![0].nodePort
  );

  // Running is kept through all of this (an instance does not go back to Pending).
  assert.equal((await f.getChallenge('c-mia'))!.status!.currentStatus!.state, 'Running');
});
