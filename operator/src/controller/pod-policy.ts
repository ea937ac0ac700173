// The pod rules of the child policy (child-policy.ts): which fields of a pod template a definition may set, and the
// security settings forced whatever the definition says. To add a rule, change the allowlist below (a field, a
// check) or renderContainer, and add its case to test/unit/pod-policy.test.ts (test/security/escalations.ts for an
// escalation).
//
// The opt-ins: an operator started with --allowed-capabilities lets a container add those capabilities (and run as
// root, which capabilities need to be effective), for nsjail-style pwn jails; --allowed-runtime-classes lets a pod
// name one of those RuntimeClasses (a sandboxed runtime such as gVisor). Never host namespaces, host paths,
// privileged mode or a ServiceAccount. Resources, replicas and grace periods: resource-policy.ts. The chart's admission policy (chart/templates/admission-policy.yaml) refuses
// the same things at the apiserver: a new refusal here belongs there too.
import {
  DEFAULT_POLICY,
  fields,
  isObject,
  listOf,
  metadataMap,
  never,
  NOT_LISTED,
  onlyValue,
  plain,
  refuse,
  type Check,
  type ChildPolicy,
} from './child-policy.ts';
import { containerResources, emptyDir, gracePeriod, preStop } from './resource-policy.ts';

/** Capability names as Kubernetes writes them: upper case, no CAP_ prefix. */
function normalizeCapability(name: string): string {
  return name.trim().toUpperCase().replace(/^CAP_/, '');
}

const HOST_NAMESPACE = 'host namespaces are refused: they give a player the node';
const NO_SERVICE_ACCOUNT = 'challenge pods run without a ServiceAccount token; a ServiceAccount cannot be chosen';
const NO_SECRETS =
  'Secrets of the namespace are not readable from a definition (put the data in the image or a ConfigMap)';

const ONLY_RUNTIME_DEFAULT =
  'only the RuntimeDefault seccomp profile is allowed (Localhost and Unconfined are refused)';
const seccompProfile: Check = fields({
  type: onlyValue('RuntimeDefault', ONLY_RUNTIME_DEFAULT),
  localhostProfile: never(ONLY_RUNTIME_DEFAULT),
});

const httpGet = fields({
  path: plain,
  port: plain,
  scheme: plain,
  httpHeaders: plain,
  host: never('probes must target the pod itself (a host makes the kubelet connect elsewhere)'),
});
const tcpSocket = fields({
  port: plain,
  host: never('probes must target the pod itself (a host makes the kubelet connect elsewhere)'),
});
const handler = { exec: fields({ command: plain }), httpGet, tcpSocket, grpc: fields({ port: plain, service: plain }) };
const probe = fields({
  ...handler,
  initialDelaySeconds: plain,
  periodSeconds: plain,
  timeoutSeconds: plain,
  successThreshold: plain,
  failureThreshold: plain,
  terminationGracePeriodSeconds: gracePeriod,
});
const lifecycleHandler = fields({ ...handler, sleep: plain });

const envVar = fields({
  name: plain,
  value: plain,
  valueFrom: fields({
    fieldRef: plain,
    resourceFieldRef: plain,
    configMapKeyRef: plain,
    secretKeyRef: never(NO_SECRETS),
  }),
});
const envFrom = fields({ prefix: plain, configMapRef: plain, secretRef: never(NO_SECRETS) });

const containerPort = fields({
  name: plain,
  containerPort: plain,
  protocol: plain,
  hostPort: never('host ports are refused: they open the node itself'),
  hostIP: never('host ports are refused: they open the node itself'),
});

const volumeMount = fields({
  name: plain,
  mountPath: plain,
  readOnly: plain,
  subPath: plain,
  subPathExpr: plain,
  mountPropagation: onlyValue('None', 'mount propagation to or from the host is refused'),
});

/** Container securityContext as the definition may write it; forced values are applied by renderContainer. */
const containerSecurityContext = fields({
  runAsUser: plain,
  runAsGroup: plain,
  runAsNonRoot: plain,
  readOnlyRootFilesystem: plain,
  allowPrivilegeEscalation: onlyValue(false, 'privilege escalation is refused'),
  privileged: onlyValue(false, 'privileged containers are refused'),
  procMount: onlyValue('Default', 'an unmasked /proc is refused'),
  seccompProfile,
  capabilities: fields({ add: listOf(plain), drop: listOf(plain) }),
});

const container = fields({
  name: plain,
  image: plain,
  imagePullPolicy: plain,
  command: plain,
  args: plain,
  workingDir: plain,
  ports: listOf(containerPort),
  env: listOf(envVar),
  envFrom: listOf(envFrom),
  resources: plain,
  volumeMounts: listOf(volumeMount),
  livenessProbe: probe,
  readinessProbe: probe,
  startupProbe: probe,
  lifecycle: fields({ postStart: lifecycleHandler, preStop, stopSignal: plain }),
  stdin: plain,
  stdinOnce: plain,
  tty: plain,
  terminationMessagePath: plain,
  terminationMessagePolicy: plain,
  restartPolicy: plain,
  securityContext: containerSecurityContext,
});

const volume = fields({
  name: plain,
  emptyDir,
  configMap: plain,
  downwardAPI: plain,
  hostPath: never("hostPath volumes are refused: they give a player the node's filesystem"),
  secret: never(NO_SECRETS),
  projected: never('projected volumes are refused (they can carry ServiceAccount tokens and Secrets)'),
});

const podSecurityContext = fields({
  runAsUser: (v, path) => (v === 0 ? refuse(path, 'pods run as non-root (a jail container opts in per container)') : v),
  runAsGroup: plain,
  fsGroup: plain,
  fsGroupChangePolicy: plain,
  supplementalGroups: plain,
  runAsNonRoot: onlyValue(true, 'pods run as non-root (a jail container opts in per container)'),
  seccompProfile,
});

const podSpec = fields({
  containers: listOf(container),
  initContainers: listOf(container),
  volumes: listOf(volume),
  securityContext: podSecurityContext,
  imagePullSecrets: plain,
  nodeSelector: plain,
  runtimeClassName: (v, path, policy) =>
    typeof v === 'string' && policy.allowedRuntimeClasses.includes(v)
      ? v
      : refuse(
          path,
          `RuntimeClass ${String(v)} is not allowed by the operator (--allowed-runtime-classes: ${policy.allowedRuntimeClasses.join(',') || 'none'})`
        ),
  hostname: plain,
  subdomain: plain,
  hostAliases: plain,
  dnsPolicy: plain,
  dnsConfig: plain,
  restartPolicy: plain,
  terminationGracePeriodSeconds: gracePeriod,
  shareProcessNamespace: plain,
  topologySpreadConstraints: plain,
  hostNetwork: onlyValue(false, HOST_NAMESPACE),
  hostPID: onlyValue(false, HOST_NAMESPACE),
  hostIPC: onlyValue(false, HOST_NAMESPACE),
  hostUsers: onlyValue(false, HOST_NAMESPACE),
  serviceAccountName: never(NO_SERVICE_ACCOUNT),
  serviceAccount: never(NO_SERVICE_ACCOUNT),
  automountServiceAccountToken: onlyValue(false, NO_SERVICE_ACCOUNT),
  enableServiceLinks: onlyValue(false, 'service links would show every other instance to a player'),
  nodeName: never('a node cannot be chosen (nodeName bypasses the scheduler and its admission checks)'),
  tolerations: never('tolerations are refused: they let a challenge onto tainted (control-plane, system) nodes'),
  priorityClassName: never('a priority class is refused: it could preempt system pods'),
});

function renderContainer(raw: Record<string, any>, path: string, policy: ChildPolicy): Record<string, any> {
  const c = container(raw, path, policy) as Record<string, any>;
  c.resources = containerResources(c.resources, `${path}.resources`, policy);
  const sc = (c.securityContext ?? {}) as Record<string, any>;
  const add = ((sc.capabilities?.add ?? []) as unknown[]).map((cap, i) => {
    const name = typeof cap === 'string' ? normalizeCapability(cap) : '';
    if (!name || !policy.allowedCapabilities.includes(name)) {
      refuse(
        `${path}.securityContext.capabilities.add[${i}]`,
        `capability ${String(cap)} is not allowed by the operator (--allowed-capabilities: ${policy.allowedCapabilities.join(',') || 'none'})`
      );
    }
    return name;
  });
  // Capabilities only take effect for root; a jail container (one that adds an allowed capability) may run as root.
  const jail = add.length > 0;
  if (!jail && (sc.runAsUser === 0 || sc.runAsNonRoot === false)) {
    refuse(
      `${path}.securityContext.${sc.runAsUser === 0 ? 'runAsUser' : 'runAsNonRoot'}`,
      'containers run as non-root unless they are jails with --allowed-capabilities'
    );
  }
  c.securityContext = {
    ...sc,
    runAsNonRoot: jail ? (sc.runAsNonRoot ?? sc.runAsUser !== 0) : true,
    allowPrivilegeEscalation: false,
    privileged: false,
    capabilities: add.length ? { drop: ['ALL'], add: [...new Set(add)] } : { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  };
  if (jail && sc.runAsUser === 0) {
    c.securityContext.runAsNonRoot = false;
  }
  return c;
}

interface PodTemplate {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: Record<string, unknown>;
}

/** The pod template a definition's component becomes: allowlisted fields, forced security settings. */
export function policePodTemplate(tmpl: unknown, path: string, policy: ChildPolicy = DEFAULT_POLICY): PodTemplate {
  const t = fields({ metadata: plain, spec: plain })(tmpl, path, policy) as { metadata?: unknown; spec?: unknown };
  const meta = (t.metadata ?? {}) as Record<string, unknown>;
  for (const key of Object.keys(meta)) {
    if (key !== 'labels' && key !== 'annotations') {
      refuse(`${path}.metadata.${key}`, NOT_LISTED);
    }
  }
  const labels = metadataMap(meta.labels, `${path}.metadata.labels`);
  const annotations = metadataMap(meta.annotations, `${path}.metadata.annotations`);
  const specPath = `${path}.spec`;
  if (!isObject(t.spec)) {
    refuse(specPath, 'must be an object');
  }
  const { containers, initContainers, ...rest } = t.spec;
  const spec = podSpec(rest, specPath, policy) as Record<string, unknown>;
  if (!Array.isArray(containers) || containers.length === 0) {
    refuse(`${specPath}.containers`, 'at least one container is needed');
  }
  spec.containers = containers.map((c, i) =>
    renderContainer(c as Record<string, any>, `${specPath}.containers[${i}]`, policy)
  );
  if (initContainers !== undefined) {
    if (!Array.isArray(initContainers)) {
      refuse(`${specPath}.initContainers`, 'must be a list');
    }
    spec.initContainers = initContainers.map((c, i) =>
      renderContainer(c as Record<string, any>, `${specPath}.initContainers[${i}]`, policy)
    );
  }
  const podSc = (spec.securityContext ?? {}) as Record<string, unknown>;
  spec.securityContext = { ...podSc, runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } };
  spec.automountServiceAccountToken = false;
  spec.enableServiceLinks = false;
  // Explicit, so the apiserver's default (30 s) never exceeds a lower --max-termination-grace-period.
  spec.terminationGracePeriodSeconds ??= Math.min(30, policy.bounds.maxGraceSeconds);
  return { metadata: { labels, annotations }, spec };
}
