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
    (s) => (s.initContainers = [{ name: 'i', image: 'x', securityContext: { privileged: true } }]),
    'spec.initContainers[0].securityContext.privileged',
  ],
  [
    'probe to another host',
    (s) => (s.containers[0].livenessProbe = { httpGet: { host: '169.254.169.254', port: 80 } }),
    'spec.containers[0].livenessProbe.httpGet.host',
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
]);

/** Service escalations: [what, spec patch, field named]. */
export const SERVICE_ESCALATIONS: Array<[string, Record<string, unknown>, string]> = [
  ['externalIPs', { externalIPs: ['8.8.8.8'] }, 'spec.externalIPs'],
  ['LoadBalancer', { type: 'LoadBalancer' }, 'spec.type'],
];
