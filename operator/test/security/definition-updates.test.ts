// The operator's own path against every pod escalation (escalations.ts), on the real apiserver, on UPDATE as well
// as CREATE: a definition that turns bad after its Challenge's children exist puts the Challenge in Error
// DefinitionRefused naming the field and the children keep what they had. Run by an operator with the default
// policy (restricted namespaces) and by one with the jail opt-ins (--allowed-capabilities,
// --allowed-runtime-classes), which relax nothing else. (CREATE with the default policy: definitions.test.ts.)
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { getCondition } from '../../src/controller/status.ts';
import type { ChallengeDefinition } from '../../src/api/types.ts';
import { Fixture, definitionSpec } from '../integration/harness.ts';
import { POD_ESCALATIONS, TEMPLATE_ESCALATIONS } from './escalations.ts';

type Case = [string, (spec: ChallengeDefinition['spec']) => void, string];
const TEMPLATE = 'spec.components[web].deployment.spec.template';

/** Every escalation but those the operator's opt-ins allow (a jail's capability, and root with it). */
function cases(allowed: string[]): Case[] {
  return [
    ...POD_ESCALATIONS.filter(([w]) => !allowed.includes(w)).map(([what, mutate, field]): Case => [
      what,
      (spec) => mutate(spec.components[0].deployment.spec.template.spec),
      `${TEMPLATE}.${field}`,
    ]),
    ...TEMPLATE_ESCALATIONS.map(([what, mutate, field]): Case => [
      what,
      (spec) => mutate(spec.components[0].deployment.spec.template),
      `${TEMPLATE}.${field}`,
    ]),
  ];
}

const OPERATORS: Array<[string, Record<string, string>, string[]]> = [
  ['the default policy', {}, []],
  [
    'the jail opt-ins',
    { allowedCapabilities: 'SYS_ADMIN', allowedRuntimeClasses: 'gvisor' },
    ['SYS_ADMIN', 'root user'],
  ],
];

for (const [label, flags, allowed] of OPERATORS) {
  describe(`definitions that turn bad, with ${label}`, () => {
    let f: Fixture;
    before(async () => {
      f = await Fixture.create('policy-upd', flags);
    });
    after(async () => f?.close());

    async function expectRefused(name: string, what: string, field: string): Promise<void> {
      const ch = await f.waitForState(name, 'Error');
      const ready = getCondition(ch.status, 'Ready');
      assert.equal(ready?.reason, 'DefinitionRefused', `${what}: ${ready?.message}`);
      assert.ok(
        ch.status!.currentStatus!.errorMsg!.includes(field),
        `${what}: "${ch.status!.currentStatus!.errorMsg}" should name ${field}`
      );
    }

    // With the default policy, CREATE is definitions.test.ts': here only with the opt-ins.
    if (allowed.length > 0) {
      it('CREATE: each escalation ends in Error DefinitionRefused naming the field, nothing created', async () => {
        const started: Array<[string, string, string]> = [];
        for (const [i, [what, mutate, field]] of cases(allowed).entries()) {
          const spec = definitionSpec();
          mutate(spec);
          await f.createDefinition(`new-${i}`, spec);
          await f.createChallenge(`ch-new-${i}`, { user: `n${i}`, definition: `new-${i}` });
          started.push([what, `ch-new-${i}`, field]);
        }
        for (const [what, name, field] of started) {
          await expectRefused(name, what, field);
        }
        assert.deepEqual(await f.allChildren(), [], 'no Deployment or Service was created for a refused definition');
      });
    }

    it('UPDATE: a definition changed to each escalation puts its Challenge in Error, its children unchanged', async () => {
      const all = cases(allowed);
      const before = new Map<string, string>();
      for (const [i] of all.entries()) {
        await f.createDefinition(`upd-${i}`, definitionSpec());
        await f.createChallenge(`ch-upd-${i}`, { user: `u${i}`, definition: `upd-${i}` });
      }
      for (const [i] of all.entries()) {
        const [dep] = await f.waitForDeployments(`ch-upd-${i}`, 1);
        before.set(`ch-upd-${i}`, JSON.stringify(dep.spec!.template));
      }
      for (const [i, [, mutate]] of all.entries()) {
        const spec = definitionSpec();
        mutate(spec);
        await f.updateDefinition(`upd-${i}`, spec);
      }
      for (const [i, [what, , field]] of all.entries()) {
        await expectRefused(`ch-upd-${i}`, what, field);
        const [dep] = await f.waitForDeployments(`ch-upd-${i}`, 1);
        assert.equal(JSON.stringify(dep.spec!.template), before.get(`ch-upd-${i}`), `${what}: the pods are unchanged`);
      }
    });
  });
}
