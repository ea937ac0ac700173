// A full node-port range on the real apiserver: a private control plane whose range holds one port. The first
// NodePort Challenge takes it; the second goes to Error NodePortsExhausted with the reason, and is not retried.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor } from '@hexactf/testing/wait';
import { getCondition } from '../../src/controller/status.ts';
import { startPrivateOperator } from '../support/private-operator.ts';

test('a full node-port range: the next NodePort Challenge goes to Error NodePortsExhausted, not retried', async (t) => {
  const { create, challenge: get } = await startPrivateOperator(t, {
    apiserverArgs: ['--service-node-port-range=30000-30000'],
    namespacePrefix: 'nodeports',
  });
  await create('first');
  await waitFor(
    'the first Challenge Pending',
    async () => (await get('first')).status?.currentStatus?.state === 'Pending'
  );
  await create('second');
  const second = await waitFor('the second Challenge in Error', async () => {
    const c = await get('second');
    return c.status?.currentStatus?.state === 'Error' ? c : undefined;
  });
  const ready = getCondition(second.status, 'Ready');
  assert.equal(ready?.reason, 'NodePortsExhausted', ready?.message);
  assert.match(second.status!.currentStatus!.errorMsg!, /node-port range is full/);
  // Kept as it is: a retry would rewrite it within the backoff's first seconds; watch for 2 s that none does.
  await new Promise((r) => setTimeout(r, 2000));
  assert.equal((await get('second')).metadata.resourceVersion, second.metadata.resourceVersion, 'no retry');
  assert.equal((await get('first')).status?.currentStatus?.state, 'Pending');
});
