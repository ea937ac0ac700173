// The chart's workloads, resources and services admission policies against every pod escalation the operator
// refuses (escalations.ts), on the real apiserver, sent with the operator ServiceAccount's own token: on CREATE and
// on UPDATE of a stored child, in a restricted challenge namespace and in a jail namespace (PSA `privileged`, an
// allowed capability and an allowed RuntimeClass), where the admission policy is the only check behind the operator.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { useTestEnv, type TestEnv } from '../support/test-env.ts';
import {
  ADMISSION_ESCALATIONS,
  ADMISSION_ONLY_ESCALATIONS,
  POD_ESCALATIONS,
  RESOURCE_CASES,
  SERVICE_SELECTOR_ESCALATION,
  TEMPLATE_ESCALATIONS,
} from './escalations.ts';
import {
  assertRefusedBy,
  createAs,
  escalate,
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

const NAMESPACES: Array<[string, string[], string[]]> = [
  // [kind of namespace, chart values, escalations the opt-ins allow there]
  ['restricted', [], []],
  [
    'jail',
    [
      'podSecurityLevel=privileged',
      'childPolicy.allowedCapabilities={SYS_ADMIN}',
      'childPolicy.allowedRuntimeClasses={gvisor}',
    ],
    ['SYS_ADMIN'],
  ],
];

const INSTANCE = 'apps.hexactf.io/instance';

/** [what, the bad Deployment from a rendered one] for every pod and pod-template escalation. */
const DEPLOYMENT_CASES = (allowed: string[]): Array<[string, (dep: any) => any]> => [
  ...POD_ESCALATIONS.filter(([w]) => ADMISSION_ESCALATIONS.has(w) && !allowed.includes(w)).map(
    ([what, mutate]): [string, (dep: any) => any] => [what, (dep) => escalate(dep, mutate)]
  ),
  // The selector follows the pods' instance label: otherwise built-in validation refuses the mismatch first.
  ...TEMPLATE_ESCALATIONS.map(([what, mutate]): [string, (dep: any) => any] => [
    what,
    (dep) => {
      mutate(dep.spec.template);
      dep.spec.selector.matchLabels[INSTANCE] = dep.spec.template.metadata.labels[INSTANCE];
      return dep;
    },
  ]),
  ['no controlling Challenge', (dep) => (delete dep.metadata.ownerReferences, dep)],
  ...ADMISSION_ONLY_ESCALATIONS.map(([what, mutate]): [string, (dep: any) => any] => [
    what,
    (dep) => (mutate(dep), dep),
  ]),
];

for (const [nsKind, set, allowed] of NAMESPACES) {
  describe(`admission policies in a ${nsKind} namespace, on CREATE and UPDATE`, () => {
    let inst: Install;
    // Children stored as the ServiceAccount (what the operator rendered) that each UPDATE case tries to turn bad.
    let dep: any;
    let svc: any;
    before(async () => {
      inst = await install(env, `vap-${nsKind}`, set);
      await waitForPolicy(inst);
      dep = rendered(inst.challengeNs, 'Deployment', 'stored');
      svc = rendered(inst.challengeNs, 'Service', 'stored');
      for (const obj of [dep, svc]) {
        assert.equal((await createAs(inst.sa, obj)).message, 'created');
      }
    });

    for (const [what, bad] of DEPLOYMENT_CASES(allowed)) {
      const policy = RESOURCE_CASES.has(what) ? 'resources' : 'workloads';
      it(`refuses a Deployment with ${what}`, async () => {
        assertRefusedBy(
          inst,
          policy,
          await createAs(inst.sa, bad(rendered(inst.challengeNs, 'Deployment', 'bad'))),
          `CREATE ${what}`
        );
        const updated = await replaceAs(inst.sa, bad(structuredClone(dep)));
        if (what.includes(INSTANCE)) {
          // A Deployment's selector is immutable: built-in validation refuses this update before admission.
          assert.equal(updated.status, 422, updated.message);
          assert.match(updated.message, /field is immutable/);
        } else {
          assertRefusedBy(inst, policy, updated, `UPDATE ${what}`);
        }
      });
    }

    it(`refuses a Service with ${SERVICE_SELECTOR_ESCALATION[0]}`, async () => {
      const [what, patch] = SERVICE_SELECTOR_ESCALATION;
      const created = rendered(inst.challengeNs, 'Service', 'bad');
      Object.assign(created.spec, patch);
      assertRefusedBy(inst, 'services', await createAs(inst.sa, created), `CREATE ${what}`);
      const updated = structuredClone(svc);
      Object.assign(updated.spec, patch);
      assertRefusedBy(inst, 'services', await replaceAs(inst.sa, updated), `UPDATE ${what}`);
    });

    it('accepts an unchanged update of what the operator rendered, also after a kubectl rollout restart', async () => {
      assert.equal((await replaceAs(inst.sa, structuredClone(dep))).message, 'replaced');
      assert.equal((await replaceAs(inst.sa, structuredClone(svc))).message, 'replaced');
      const restarted = structuredClone(dep);
      restarted.spec.template.metadata.annotations['kubectl.kubernetes.io/restartedAt'] = '2026-01-01T00:00:00Z';
      assert.equal((await replaceAs(inst.sa, restarted)).message, 'replaced');
    });

    if (nsKind === 'jail') {
      it('accepts what the opt-ins allow there: an allowed capability as root, an allowed RuntimeClass', async () => {
        const jail = rendered(inst.challengeNs, 'Deployment', 'jail');
        const pod = jail.spec.template.spec;
        pod.runtimeClassName = 'gvisor';
        pod.containers[0].securityContext = {
          ...pod.containers[0].securityContext,
          runAsNonRoot: false,
          runAsUser: 0,
          capabilities: { drop: ['ALL'], add: ['SYS_ADMIN'] },
        };
        assert.equal((await createAs(inst.sa, jail)).message, 'created');
        const updated = structuredClone(dep);
        updated.spec.template.spec.runtimeClassName = 'gvisor';
        assert.equal((await replaceAs(inst.sa, updated)).message, 'replaced');
      });
    }
  });
}
