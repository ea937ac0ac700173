// A child the apiserver cannot create for now (500: the Service IP range is full) keeps the instance Pending with
// the reason in its Ready condition, is retried with backoff, and turns into Error when --pending-timeout passes.
// A private control plane with a tiny Service range produces the real failure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor } from '@hexactf/testing/wait';
import { startPrivateOperator } from '../support/private-operator.ts';

test('transient child failures are visible while retried, then time out into Error', async (t) => {
  const op = await startPrivateOperator(t, {
    apiserverArgs: ['--service-cluster-ip-range=10.0.0.0/29'],
    namespacePrefix: 'iprange',
    flags: { pendingTimeoutMs: 4000 },
  });
  // A /29 holds at most 6 Services (one is `kubernetes`): 8 instances cannot all get one.
  for (let i = 0; i < 8; i++) {
    await op.create(`c-${i}`);
  }
  const all = op.all;
  const retrying = await waitFor('an instance retrying its Service', async () =>
    (await all()).find((c) =>
      c.status?.conditions?.some((x) => x.type === 'Ready' && x.reason === 'ChildCreateRetrying')
    )
  );
  assert.equal(retrying.status!.currentStatus!.state, 'Pending');
  assert.ok(retrying.status!.pendingSince);
  assert.match(
    retrying.status!.conditions!.find((x) => x.type === 'Ready')!.message,
    /creating Service ch-1-c-\d-web-[0-9a-f]+: .*range is full/
  );

  // (No kubelet here, so every instance times out; the ones without a Service say why.)
  const failed = await waitFor(
    'the pending timeout of the retried instance',
    async () => {
      const c = (await all()).find((x) => x.metadata.name === retrying.metadata.name);
      return c?.status?.currentStatus?.state === 'Error' ? c : undefined;
    },
    15_000
  );
  assert.match(
    failed.status!.currentStatus!.errorMsg!,
    /^not available after 4s: deployment ch-1-c-\d-web-[0-9a-f]+; creating Service .*range is full/
  );
  assert.equal(failed.status!.conditions!.find((x) => x.type === 'Ready')!.reason, 'PendingTimeout');
});
