import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { desiredChildren } from '../../src/controller/children.ts';
import { DEFAULT_POLICY, DefinitionRefused, type ChildPolicy } from '../../src/controller/child-policy.ts';
import { policePodTemplate } from '../../src/controller/pod-policy.ts';
import { policeService } from '../../src/controller/service-policy.ts';
import type { Challenge, ChallengeDefinition } from '../../src/api/types.ts';
import { POD_ESCALATIONS, TEMPLATE_ESCALATIONS } from '../security/escalations.ts';

const base = () => ({ spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] } as Record<string, any> });
const NONE: ChildPolicy = DEFAULT_POLICY;
const P = 'tmpl';

function refusedField(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof DefinitionRefused, String(err));
    return err.field;
  }
  assert.fail('expected the definition to be refused');
}

describe('pod policy', () => {
  for (const [what, mutate, field] of POD_ESCALATIONS) {
    it(`refuses ${what}, naming ${field}`, () => {
      const t = base();
      mutate(t.spec);
      assert.equal(
        refusedField(() => policePodTemplate(t, P, NONE)),
        `${P}.${field}`
      );
    });
  }

  for (const [what, mutate, field] of TEMPLATE_ESCALATIONS) {
    it(`refuses ${what}, naming ${field}`, () => {
      const t = base() as Record<string, any>;
      mutate(t);
      assert.equal(
        refusedField(() => policePodTemplate(t, P, NONE)),
        `${P}.${field}`
      );
    });
  }

  it('a runtimeClassName only from --allowed-runtime-classes', () => {
    const t = base();
    t.spec.runtimeClassName = 'gvisor';
    assert.equal(
      refusedField(() => policePodTemplate(t, P, NONE)),
      `${P}.spec.runtimeClassName`
    );
    const gvisor: ChildPolicy = { ...NONE, allowedRuntimeClasses: ['gvisor'] };
    assert.equal(policePodTemplate(t, P, gvisor).spec.runtimeClassName, 'gvisor');
    t.spec.runtimeClassName = 'runc-debug';
    assert.equal(
      refusedField(() => policePodTemplate(t, P, gvisor)),
      `${P}.spec.runtimeClassName`
    );
  });

  it('forces the safe defaults on every container and the pod', () => {
    const t = base();
    t.spec.initContainers = [{ name: 'init', image: 'busybox', securityContext: { readOnlyRootFilesystem: true } }];
    const out = policePodTemplate(t, P, NONE);
    assert.equal(out.spec.automountServiceAccountToken, false);
    assert.equal(out.spec.enableServiceLinks, false);
    assert.deepEqual(out.spec.securityContext, { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    for (const c of [...(out.spec.containers as any[]), ...(out.spec.initContainers as any[])]) {
      assert.equal(c.securityContext.allowPrivilegeEscalation, false);
      assert.equal(c.securityContext.privileged, false);
      assert.equal(c.securityContext.runAsNonRoot, true);
      assert.deepEqual(c.securityContext.capabilities, { drop: ['ALL'] });
      assert.deepEqual(c.securityContext.seccompProfile, { type: 'RuntimeDefault' });
    }
    assert.equal(
      (out.spec.initContainers as any[])[0].securityContext.readOnlyRootFilesystem,
      true,
      'allowed fields are kept'
    );
  });

  it('keeps ordinary fields: ports, env from a ConfigMap, resources, probes, emptyDir and ConfigMap volumes', () => {
    const t = base();
    Object.assign(t.spec.containers[0], {
      ports: [{ containerPort: 8080, name: 'http' }],
      env: [
        { name: 'FLAG', value: 'flag{x}' },
        { name: 'C', valueFrom: { configMapKeyRef: { name: 'cm', key: 'k' } } },
      ],
      resources: { requests: { cpu: '10m' } },
      readinessProbe: { httpGet: { path: '/', port: 8080 } },
      volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
    });
    t.spec.volumes = [
      { name: 'tmp', emptyDir: {} },
      { name: 'cm', configMap: { name: 'cm' } },
    ];
    t.spec.securityContext = { runAsUser: 1000, fsGroup: 1000 };
    const out = policePodTemplate(t, P, NONE);
    const c = (out.spec.containers as any[])[0];
    assert.deepEqual(c.ports, [{ containerPort: 8080, name: 'http' }]);
    assert.equal(c.env[1].valueFrom.configMapKeyRef.name, 'cm');
    assert.deepEqual(out.spec.volumes, t.spec.volumes);
    assert.equal((out.spec.securityContext as any).runAsUser, 1000);
  });

  it('an explicit false for a host namespace or a token is accepted (it is the safe value)', () => {
    const t = base();
    Object.assign(t.spec, {
      hostNetwork: false,
      hostPID: false,
      automountServiceAccountToken: false,
      enableServiceLinks: false,
    });
    assert.equal(policePodTemplate(t, P, NONE).spec.hostNetwork, false);
  });

  it('refuses labels and annotations of the cluster or the operator (AppArmor, instance selectors)', () => {
    const t: any = base();
    t.metadata = { annotations: { 'container.apparmor.security.beta.kubernetes.io/app': 'unconfined' } };
    assert.equal(
      refusedField(() => policePodTemplate(t, P, NONE)),
      `${P}.metadata.annotations[container.apparmor.security.beta.kubernetes.io/app]`
    );
    t.metadata = { labels: { 'apps.hexactf.io/instance': 'someone-else' } };
    assert.equal(
      refusedField(() => policePodTemplate(t, P, NONE)),
      `${P}.metadata.labels[apps.hexactf.io/instance]`
    );
    t.metadata = { labels: { app: 'web', 'example.com/tier': 'x' } };
    assert.deepEqual(policePodTemplate(t, P, NONE).metadata?.labels, { app: 'web', 'example.com/tier': 'x' });
  });

  describe('jail opt-in (--allowed-capabilities)', () => {
    const JAIL: ChildPolicy = {
      ...DEFAULT_POLICY,
      allowedCapabilities: ['SYS_ADMIN', 'SETUID'],
      allowedRuntimeClasses: [],
    };
    it('adds an allowed capability, lets that container run as root, keeps everything else forced', () => {
      const t = base();
      t.spec.containers[0].securityContext = { runAsUser: 0, capabilities: { add: ['CAP_SYS_ADMIN', 'setuid'] } };
      t.spec.containers.push({ name: 'sidecar', image: 'busybox' });
      const [jail, sidecar] = policePodTemplate(t, P, JAIL).spec.containers as any[];
      assert.deepEqual(jail.securityContext.capabilities, { drop: ['ALL'], add: ['SYS_ADMIN', 'SETUID'] });
      assert.equal(jail.securityContext.runAsNonRoot, false);
      assert.equal(jail.securityContext.allowPrivilegeEscalation, false);
      assert.equal(jail.securityContext.privileged, false);
      assert.deepEqual(jail.securityContext.seccompProfile, { type: 'RuntimeDefault' });
      assert.equal(sidecar.securityContext.runAsNonRoot, true, 'only the jail container may be root');
    });
    it('still refuses capabilities outside the list, privileged mode and host access', () => {
      const t = base();
      t.spec.containers[0].securityContext = { capabilities: { add: ['SYS_ADMIN', 'NET_ADMIN'] } };
      assert.equal(
        refusedField(() => policePodTemplate(t, P, JAIL)),
        `${P}.spec.containers[0].securityContext.capabilities.add[1]`
      );
      for (const [what, mutate, field] of POD_ESCALATIONS.filter(([w]) => w !== 'SYS_ADMIN' && w !== 'root user')) {
        const e = base();
        mutate(e.spec);
        assert.equal(
          refusedField(() => policePodTemplate(e, P, JAIL)),
          `${P}.${field}`,
          what
        );
      }
    });
  });
});

describe('service policy', () => {
  const svc = (spec: Record<string, unknown>) => ({ spec: { ports: [{ port: 80 }], ...spec } });
  it('refuses externalIPs, LoadBalancer, ExternalName and unknown fields, naming the field', () => {
    assert.equal(
      refusedField(() => policeService(svc({ externalIPs: ['8.8.8.8'] }), 'svc', NONE)),
      'svc.spec.externalIPs'
    );
    assert.equal(
      refusedField(() => policeService(svc({ type: 'LoadBalancer' }), 'svc', NONE)),
      'svc.spec.type'
    );
    assert.equal(
      refusedField(() => policeService(svc({ type: 'ExternalName' }), 'svc', NONE)),
      'svc.spec.type'
    );
    assert.equal(
      refusedField(() => policeService(svc({ externalName: 'x.example' }), 'svc', NONE)),
      'svc.spec.externalName'
    );
    assert.equal(
      refusedField(() => policeService(svc({ loadBalancerIP: '1.2.3.4' }), 'svc', NONE)),
      'svc.spec.loadBalancerIP'
    );
    assert.equal(
      refusedField(() => policeService(svc({ foo: 1 }), 'svc', NONE)),
      'svc.spec.foo'
    );
  });
  it('LoadBalancer with --allow-load-balancer; externalIPs never', () => {
    const lb: ChildPolicy = { ...DEFAULT_POLICY, allowLoadBalancer: true };
    assert.equal(policeService(svc({ type: 'LoadBalancer' }), 'svc', lb).spec.type, 'LoadBalancer');
    assert.equal(
      refusedField(() => policeService(svc({ type: 'LoadBalancer', externalIPs: ['1.1.1.1'] }), 'svc', lb)),
      'svc.spec.externalIPs'
    );
  });
  it('drops nodePort, clusterIP and selector (the operator sets them per instance)', () => {
    const out = policeService(
      svc({
        type: 'NodePort',
        ports: [{ port: 80, nodePort: 30080, targetPort: 8080 }],
        clusterIP: '10.0.0.1',
        selector: { app: 'x' },
      }),
      'svc',
      NONE
    );
    assert.deepEqual(out.spec, { type: 'NodePort', ports: [{ port: 80, targetPort: 8080 }] });
  });
});

describe('desiredChildren through the policy', () => {
  const ch: Challenge = {
    metadata: {
      name: 'c1',
      namespace: 'ns',
      uid: 'u1',
      labels: { 'apps.hexactf.io/challengeId': '1', 'apps.hexactf.io/user': 'alice' },
    },
    spec: { definition: 'd' },
  };
  const def = (podSpec: Record<string, unknown>): ChallengeDefinition => ({
    metadata: { name: 'd', namespace: 'ns' },
    spec: {
      components: [
        {
          name: 'web',
          deployment: { spec: { template: { spec: podSpec as any } } },
          service: { spec: { ports: [{ port: 80 }] } },
        },
      ],
    },
  });
  it('a refused component refuses the whole definition, naming the component and field', () => {
    const err = (() => {
      try {
        desiredChildren(ch, def({ containers: [{ name: 'a', image: 'x' }], hostNetwork: true }));
      } catch (e) {
        return e as DefinitionRefused;
      }
    })();
    assert.ok(err instanceof DefinitionRefused);
    assert.equal(err.field, 'spec.components[web].deployment.spec.template.spec.hostNetwork');
    assert.match(err.message, /host namespaces are refused/);
  });
  it('rendered children carry the forced pod settings and the instance selector', () => {
    const [dep, svc] = desiredChildren(ch, def({ containers: [{ name: 'a', image: 'x' }] }));
    const pod = dep.object.spec.template.spec;
    assert.equal(pod.automountServiceAccountToken, false);
    assert.equal(pod.enableServiceLinks, false);
    assert.equal(pod.containers[0].securityContext.allowPrivilegeEscalation, false);
    assert.deepEqual(svc.object.spec.selector, { 'apps.hexactf.io/instance': dep.object.metadata.name });
  });
});
