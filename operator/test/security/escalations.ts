// The escalations tried against the operator (the threat: "a ChallengeDefinition is a cluster takeover"), shared by
// the pod policy's unit tests, the definition tests on the real apiserver and the admission policy tests.
// Each one mutates a pod spec; the third element is the field the operator's refusal names.

/** The escalations tried against the operator (the threat: a ChallengeDefinition is a cluster takeover). */
export const POD_ESCALATIONS: Array<[string, (spec: Record<string, any>) => void, string]> = [
  ['hostNetwork', (s) => (s.hostNetwork = true), 'spec.hostNetwork'],
  ['hostPID', (s) => (s.hostPID = true), 'spec.hostPID'],
  ['hostIPC', (s) => (s.hostIPC = true), 'spec.hostIPC'],
  [
    'privileged',
    (s) => (s.containers[0].securityContext = { privileged: true }),
    'spec.containers[0].securityContext.privileged',
  ],
  [
    'SYS_ADMIN',
    (s) => (s.containers[0].securityContext = { capabilities: { add: ['SYS_ADMIN'] } }),
    'spec.containers[0].securityContext.capabilities.add[0]',
  ],
  ['hostPath /', (s) => (s.volumes = [{ name: 'root', hostPath: { path: '/' } }]), 'spec.volumes[0].hostPath'],
  ['serviceAccountName', (s) => (s.serviceAccountName = 'challenge-operator'), 'spec.serviceAccountName'],
  ['nodeName', (s) => (s.nodeName = 'control-plane'), 'spec.nodeName'],
  ['tolerate-all', (s) => (s.tolerations = [{ operator: 'Exists' }]), 'spec.tolerations'],
  ['token automount', (s) => (s.automountServiceAccountToken = true), 'spec.automountServiceAccountToken'],
  [
    'hostPort',
    (s) => (s.containers[0].ports = [{ containerPort: 80, hostPort: 80 }]),
    'spec.containers[0].ports[0].hostPort',
  ],
  [
    'secret env',
    (s) => (s.containers[0].env = [{ name: 'X', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }]),
    'spec.containers[0].env[0].valueFrom.secretKeyRef',
  ],
  [
    'projected token',
    (s) => (s.volumes = [{ name: 't', projected: { sources: [{ serviceAccountToken: { path: 't' } }] } }]),
    'spec.volumes[0].projected',
  ],
  [
    'root user',
    (s) => (s.containers[0].securityContext = { runAsUser: 0 }),
    'spec.containers[0].securityContext.runAsUser',
  ],
  ['unknown pod field', (s) => (s.overhead = { cpu: '1' }), 'spec.overhead'],
  ['unknown container field', (s) => (s.containers[0].resizePolicy = []), 'spec.containers[0].resizePolicy'],
  [
    'init container',
    (s) =>
      (s.initContainers = [
        {
          name: 'i',
          image: 'x',
          securityContext: { privileged: true },
          resources: { limits: { cpu: '100m', memory: '64Mi' } }, // within bounds: only the privilege is at stake
        },
      ]),
    'spec.initContainers[0].securityContext.privileged',
  ],
  [
    'secret envFrom',
    (s) => (s.containers[0].envFrom = [{ secretRef: { name: 's' } }]),
    'spec.containers[0].envFrom[0].secretRef',
  ],
  ['secret volume', (s) => (s.volumes = [{ name: 's', secret: { secretName: 's' } }]), 'spec.volumes[0].secret'],
  [
    'persistentVolumeClaim volume',
    (s) => (s.volumes = [{ name: 'v', persistentVolumeClaim: { claimName: 'other-players-data' } }]),
    'spec.volumes[0].persistentVolumeClaim',
  ],
  [
    'csi volume',
    (s) => (s.volumes = [{ name: 'v', csi: { driver: 'secrets-store.csi.k8s.io' } }]),
    'spec.volumes[0].csi',
  ],
  [
    'ephemeral volume',
    (s) =>
      (s.volumes = [
        {
          name: 'v',
          ephemeral: {
            volumeClaimTemplate: {
              spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
            },
          },
        },
      ]),
    'spec.volumes[0].ephemeral',
  ],
  ['nfs volume', (s) => (s.volumes = [{ name: 'v', nfs: { server: '10.0.0.2', path: '/' } }]), 'spec.volumes[0].nfs'],
  [
    'seccomp Localhost on the pod',
    (s) =>
      (s.securityContext = { ...s.securityContext, seccompProfile: { localhostProfile: 'p.json', type: 'Localhost' } }),
    'spec.securityContext.seccompProfile.localhostProfile',
  ],
  [
    'seccomp Localhost on a container',
    (s) => (s.containers[0].securityContext = { seccompProfile: { localhostProfile: 'p.json', type: 'Localhost' } }),
    'spec.containers[0].securityContext.seccompProfile.localhostProfile',
  ],
  [
    'seccomp Unconfined on a container',
    (s) => (s.containers[0].securityContext = { seccompProfile: { type: 'Unconfined' } }),
    'spec.containers[0].securityContext.seccompProfile.type',
  ],
  [
    'mountPropagation',
    (s) => {
      s.volumes = [{ name: 'v', emptyDir: {} }];
      s.containers[0].volumeMounts = [{ name: 'v', mountPath: '/v', mountPropagation: 'HostToContainer' }];
    },
    'spec.containers[0].volumeMounts[0].mountPropagation',
  ],
  ['schedulerName', (s) => (s.schedulerName = 'permissive-scheduler'), 'spec.schedulerName'],
  ['runtimeClassName', (s) => (s.runtimeClassName = 'unlisted-runtime'), 'spec.runtimeClassName'],
  [
    'AppArmor Unconfined on a container',
    (s) => (s.containers[0].securityContext = { appArmorProfile: { type: 'Unconfined' } }),
    'spec.containers[0].securityContext.appArmorProfile',
  ],
  [
    'SELinux options on the pod',
    (s) => (s.securityContext = { ...s.securityContext, seLinuxOptions: { type: 'spc_t' } }),
    'spec.securityContext.seLinuxOptions',
  ],
  [
    'sysctls',
    (s) =>
      (s.securityContext = {
        ...s.securityContext,
        sysctls: [{ name: 'net.ipv4.ip_unprivileged_port_start', value: '0' }],
      }),
    'spec.securityContext.sysctls',
  ],
  [
    'probe to another host',
    (s) => (s.containers[0].livenessProbe = { httpGet: { host: '169.254.169.254', port: 80 } }),
    'spec.containers[0].livenessProbe.httpGet.host',
  ],
  // Resources (resource-policy.ts): a definition that would take the node's CPU or memory, or hold on to it.
  [
    'CPU limit above the bound',
    (s) => (s.containers[0].resources = { limits: { cpu: '64', memory: '256Mi' } }),
    'spec.containers[0].resources.limits.cpu',
  ],
  [
    'memory request above the bound',
    (s) => (s.containers[0].resources = { requests: { memory: '64Gi' } }),
    'spec.containers[0].resources.requests.memory',
  ],
  [
    'memory-backed emptyDir without sizeLimit',
    (s) => (s.volumes = [{ name: 'm', emptyDir: { medium: 'Memory' } }]),
    'spec.volumes[0].emptyDir.sizeLimit',
  ],
  [
    'memory-backed emptyDir above the bound',
    (s) => (s.volumes = [{ name: 'm', emptyDir: { medium: 'Memory', sizeLimit: '64Gi' } }]),
    'spec.volumes[0].emptyDir.sizeLimit',
  ],
  ['a day of grace period', (s) => (s.terminationGracePeriodSeconds = 86400), 'spec.terminationGracePeriodSeconds'],
  [
    'preStop exec',
    (s) => (s.containers[0].lifecycle = { preStop: { exec: { command: ['sleep', '86400'] } } }),
    'spec.containers[0].lifecycle.preStop.exec',
  ],
  [
    'preStop sleep above the bound',
    (s) => (s.containers[0].lifecycle = { preStop: { sleep: { seconds: 3600 } } }),
    'spec.containers[0].lifecycle.preStop.sleep.seconds',
  ],
];

/** Those the chart's ValidatingAdmissionPolicy must also refuse when they reach the apiserver directly. */
export const ADMISSION_ESCALATIONS = new Set([
  'hostNetwork',
  'hostPID',
  'hostIPC',
  'privileged',
  'SYS_ADMIN',
  'hostPath /',
  'serviceAccountName',
  'nodeName',
  'tolerate-all',
  'token automount',
  'hostPort',
  'projected token',
  'init container',
  'secret env',
  'secret envFrom',
  'secret volume',
  'persistentVolumeClaim volume',
  'csi volume',
  'ephemeral volume',
  'nfs volume',
  'seccomp Localhost on the pod',
  'seccomp Localhost on a container',
  'seccomp Unconfined on a container',
  'mountPropagation',
  'schedulerName',
  'runtimeClassName',
  'AppArmor Unconfined on a container',
  'SELinux options on the pod',
  'sysctls',
  'CPU limit above the bound',
  'memory request above the bound',
  'memory-backed emptyDir without sizeLimit',
  'memory-backed emptyDir above the bound',
  'a day of grace period',
  'preStop exec',
  // (A preStop sleep beyond the pod's grace period is refused by the apiserver's built-in validation first.)
]);

/** The cases the chart's resources admission policy refuses (the others are the workloads policy's). */
export const RESOURCE_CASES = new Set([
  'CPU limit above the bound',
  'memory request above the bound',
  'memory-backed emptyDir without sizeLimit',
  'memory-backed emptyDir above the bound',
  'a day of grace period',
  'preStop exec',
  'no resource limits',
  'no memory limit',
  '50 replicas',
]);

/**
 * What the operator repairs rather than refuses (a container without limits gets the defaults) but the admission
 * policy must refuse when it reaches the apiserver directly, and Deployment-level bounds: [what, mutate(Deployment)].
 */
export const ADMISSION_ONLY_ESCALATIONS: Array<[string, (dep: Record<string, any>) => void]> = [
  ['no resource limits', (d) => delete d.spec.template.spec.containers[0].resources.limits],
  ['no memory limit', (d) => delete d.spec.template.spec.containers[0].resources.limits.memory],
  ['50 replicas', (d) => (d.spec.replicas = 50)],
];

/**
 * Escalations through the pod template's metadata: [what, mutate(template), field named]. The operator owns the
 * instance/owner-uid/user/challenge labels (its Service and NetworkPolicy select by them) and Kubernetes' annotations.
 */
export const TEMPLATE_ESCALATIONS: Array<[string, (template: Record<string, any>) => void, string]> = [
  ...(
    [
      ['apps.hexactf.io/owner-uid', '00000000-0000-0000-0000-0000000000ff'],
      ['apps.hexactf.io/instance', 'ch-1-bob-web-0000'],
      ['apps.hexactf.io/user', 'bob'],
      ['apps.hexactf.io/challengeId', '2'],
    ] as const
  ).map(([key, value]): [string, (t: Record<string, any>) => void, string] => [
    `pod label ${key}=${value}`,
    (t) => (t.metadata = { ...t.metadata, labels: { ...t.metadata?.labels, [key]: value } }),
    `metadata.labels[${key}]`,
  ]),
  [
    'AppArmor unconfined annotation',
    (t) =>
      (t.metadata = {
        ...t.metadata,
        annotations: { ...t.metadata?.annotations, 'container.apparmor.security.beta.kubernetes.io/web': 'unconfined' },
      }),
    'metadata.annotations[container.apparmor.security.beta.kubernetes.io/web]',
  ],
];

/**
 * A Service selecting other pods than its instance's (the operator drops a definition's selector and sets its own;
 * the admission policy refuses any other): [what, spec patch].
 */
export const SERVICE_SELECTOR_ESCALATION: [string, Record<string, unknown>] = [
  'a selector of another instance',
  { selector: { 'apps.hexactf.io/instance': 'ch-1-bob-web-0000' } },
];

/** Service escalations: [what, spec patch, field named]. */
export const SERVICE_ESCALATIONS: Array<[string, Record<string, unknown>, string]> = [
  ['externalIPs', { externalIPs: ['8.8.8.8'] }, 'spec.externalIPs'],
  ['LoadBalancer', { type: 'LoadBalancer' }, 'spec.type'],
];
