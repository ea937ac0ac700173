// The operator's Role lets its ServiceAccount create, update and patch NetworkPolicies in a challenge namespace, and
// a NetworkPolicy only ever adds allowed traffic: on the real apiserver, the chart's networkpolicies admission policy
// accepts from that ServiceAccount only the operator's shape (network-policy.ts) and refuses the others, on CREATE
// and on UPDATE of a stored one, sent the way the operator writes (its own client, server-side apply).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { useTestEnv, type TestEnv } from '../support/test-env.ts';
import {
  assertRefusedBy,
  createAs,
  install,
  rendered,
  replaceAs,
  waitForPolicy,
  type Install,
} from './admission-install.ts';

let env: TestEnv;
before(async () => {
  env = await useTestEnv({ authorizationMode: 'RBAC' });
});
after(async () => env?.stop());

const OWNER_UID = 'apps.hexactf.io/owner-uid';
const OTHER_UID = '00000000-0000-0000-0000-0000000000ff';
const everything = { matchLabels: {} };

/** [what, mutation of the operator's NetworkPolicy]: shapes that would open instances beyond their own pods. */
const SHAPES: Array<[string, (np: any) => void]> = [
  ['a podSelector of every pod', (np) => (np.spec.podSelector = {})],
  [
    "a podSelector of another instance's pods",
    (np) => (np.spec.podSelector = { matchLabels: { [OWNER_UID]: OTHER_UID } }),
  ],
  [
    'a podSelector with matchExpressions',
    (np) => (np.spec.podSelector = { matchExpressions: [{ key: OWNER_UID, operator: 'Exists' }] }),
  ],
  [
    'policyTypes without Ingress',
    (np) => {
      np.spec.policyTypes = ['Egress'];
      delete np.spec.ingress;
    },
  ],
  ['an ingress rule from anywhere (no from)', (np) => np.spec.ingress.push({})],
  ['ingress from every namespace', (np) => np.spec.ingress.push({ from: [{ namespaceSelector: everything }] })],
  ['ingress from every pod of the namespace', (np) => np.spec.ingress.push({ from: [{ podSelector: everything }] })],
  [
    "ingress from another instance's pods",
    (np) => np.spec.ingress.push({ from: [{ podSelector: { matchLabels: { [OWNER_UID]: OTHER_UID } } }] }),
  ],
  ['an egress rule to anywhere (no to)', (np) => np.spec.egress.push({ ports: [{ port: 443 }] })],
  ['egress to every namespace', (np) => np.spec.egress.push({ to: [{ namespaceSelector: everything }] })],
  [
    "egress to another instance's pods",
    (np) => np.spec.egress.push({ to: [{ podSelector: { matchLabels: { [OWNER_UID]: OTHER_UID } } }] }),
  ],
  [
    'egress to every pod of kube-system',
    (np) =>
      np.spec.egress.push({
        to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: {} }],
      }),
  ],
  ['no controlling Challenge', (np) => delete np.metadata.ownerReferences],
  [
    "an owner-uid label and selector that are not its Challenge's",
    (np) => {
      np.metadata.labels[OWNER_UID] = OTHER_UID;
      np.spec.podSelector = { matchLabels: { [OWNER_UID]: OTHER_UID } };
    },
  ],
];

describe("NetworkPolicies from the operator's ServiceAccount keep the operator's shape", () => {
  let inst: Install;
  let stored: any;
  before(async () => {
    inst = await install(env, 'vap-np');
    await waitForPolicy(inst);
    stored = rendered(inst.challengeNs, 'NetworkPolicy', 'stored');
    assert.equal((await createAs(inst.sa, stored)).message, 'created');
  });

  it('accepts what the operator renders, and an unchanged update of it', async () => {
    assert.equal((await createAs(inst.sa, rendered(inst.challengeNs, 'NetworkPolicy', 'ok'))).message, 'created');
    assert.equal((await replaceAs(inst.sa, structuredClone(stored))).message, 'replaced');
  });

  for (const [what, mutate] of SHAPES) {
    it(`refuses ${what} on CREATE and UPDATE`, async () => {
      const created = rendered(inst.challengeNs, 'NetworkPolicy', 'bad');
      mutate(created);
      assertRefusedBy(inst, 'networkpolicies', await createAs(inst.sa, created), `CREATE ${what}`);
      const updated = structuredClone(stored);
      mutate(updated);
      assertRefusedBy(inst, 'networkpolicies', await replaceAs(inst.sa, updated), `UPDATE ${what}`);
    });
  }

  it('leaves other users alone (the cluster admin may still write any NetworkPolicy)', async () => {
    const np = rendered(inst.challengeNs, 'NetworkPolicy', 'admin');
    np.spec.podSelector = {};
    assert.equal((await createAs(env.kubeConfig, np)).message, 'created');
  });
});
