// Command-line flags (names fixed by the team conventions; the chart and tests rely on them). FLAG_SPECS is the one
// list: the Flags type is derived from it, parseFlags() and helpText() read it. To add a flag, add its spec here
// and pass it in the chart (values.yaml and templates/deployment.yaml); list it in operator/README.md (a unit test
// checks); options.ts hands flag values to the parts that use them.
import { DEFAULT_INTERNAL_CIDRS, cidrList } from './controller/network-policy.ts';
import { DEFAULT_BOUNDS, resourceBounds, type ResourcePair } from './controller/resource-bounds.ts';
import { electionTimes } from './kube/leader-election.ts';
import { parseBindAddress } from './server/bind-address.ts';
import {
  FlagError,
  capabilityList,
  formatDuration,
  namespaceList,
  parseDuration,
  runtimeClassList,
} from './flag-values.ts';

const pairText = (p: ResourcePair) =>
  Object.entries(p)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');

type Kind = 'string' | 'bool' | 'duration' | 'int' | 'float';
interface FlagSpec {
  name: string;
  /** The field of Flags; durations are in milliseconds (key ending in Ms). */
  key: string;
  kind: Kind;
  /** The only values a string flag takes (its Flags field is typed as their union). */
  choices?: readonly string[];
  def: (env: NodeJS.ProcessEnv) => string;
  help: string;
}

/** The value each kind of flag parses to. */
interface KindValue {
  string: string;
  bool: boolean;
  duration: number;
  int: number;
  float: number;
}

export const FLAG_SPECS = [
  {
    name: 'metrics-bind-address',
    key: 'metricsBindAddress',
    kind: 'string',
    def: () => ':8080',
    help: 'Address the /metrics endpoint binds to ("0" disables it, ":0" picks a free port).',
  },
  {
    name: 'metrics-secure',
    key: 'metricsSecure',
    kind: 'bool',
    def: () => 'false',
    help: "Serve /metrics over HTTPS to callers whose bearer token passes a TokenReview and a SubjectAccessReview for get on /metrics (as controller-runtime's secure metrics).",
  },
  {
    name: 'metrics-cert-dir',
    key: 'metricsCertDir',
    kind: 'string',
    def: () => '',
    help: 'Directory with tls.crt and tls.key for --metrics-secure ("" = a self-signed certificate made at start).',
  },
  {
    name: 'metrics-auth-max-inflight',
    key: 'metricsAuthMaxInflight',
    kind: 'int',
    def: () => '8',
    help: 'With --metrics-secure: token reviews (TokenReview + SubjectAccessReview) in flight at most; a request needing one more is answered 503 with Retry-After at once.',
  },
  {
    name: 'metrics-auth-cache-ttl',
    key: 'metricsAuthCacheTtlMs',
    kind: 'duration',
    def: () => '1m',
    help: 'With --metrics-secure: how long an allowed token is served without a new review (0 = review every request).',
  },
  {
    name: 'metrics-auth-negative-cache-ttl',
    key: 'metricsAuthNegativeCacheTtlMs',
    kind: 'duration',
    def: () => '10s',
    help: 'With --metrics-secure: how long a refused token (401, 403) is answered from memory (0 = review every request).',
  },
  {
    name: 'metrics-auth-cache-size',
    key: 'metricsAuthCacheSize',
    kind: 'int',
    def: () => '1024',
    help: 'With --metrics-secure: entries in each of the two caches of verdicts (by token hash), the oldest dropped first.',
  },
  {
    name: 'health-probe-bind-address',
    key: 'healthProbeBindAddress',
    kind: 'string',
    def: () => ':8081',
    help: 'Address of /healthz and /readyz ("0" disables it).',
  },
  {
    name: 'leader-elect',
    key: 'leaderElect',
    kind: 'bool',
    def: () => 'false',
    help: 'Elect a leader through a Lease; only the leader reconciles and exports challenge series.',
  },
  {
    name: 'leader-election-id',
    key: 'leaderElectionId',
    kind: 'string',
    def: () => 'challenge-operator.hexactf.io',
    help: 'Name of the leader-election Lease.',
  },
  {
    name: 'leader-election-namespace',
    key: 'leaderElectionNamespace',
    kind: 'string',
    def: (env) => env.POD_NAMESPACE || 'default',
    help: 'Namespace of the Lease (default: $POD_NAMESPACE, else "default").',
  },
  {
    name: 'lease-duration',
    key: 'leaseDurationMs',
    kind: 'duration',
    def: () => '15s',
    help: 'How long a leader holds the Lease without renewing it.',
  },
  {
    name: 'renew-deadline',
    key: 'renewDeadlineMs',
    kind: 'duration',
    def: () => '0',
    help: 'A leader that could not renew the Lease for this long stops leading (reconciles, Challenge series, Events) before the Lease runs out for the others; must be below --lease-duration (0 = two thirds of it: 10s for 15s).',
  },
  {
    name: 'retry-period',
    key: 'retryPeriodMs',
    kind: 'duration',
    def: () => '0',
    help: 'How often the Lease is renewed, or tried for by a standby; must be below --renew-deadline (0 = --lease-duration / 7.5: 2s for 15s).',
  },
  {
    name: 'namespace',
    key: 'namespace',
    kind: 'string',
    def: () => '',
    help: 'Watch only these namespaces, comma-separated ("" = all namespaces; the chart\'s namespaced RBAC gives a Role in each).',
  },
  {
    name: 'pending-timeout',
    key: 'pendingTimeoutMs',
    kind: 'duration',
    def: () => '5m',
    help: 'A Challenge still Pending after this long goes to Error (0 = never).',
  },
  {
    name: 'delete-on-error',
    key: 'deleteOnError',
    kind: 'bool',
    def: () => 'false',
    help: 'Delete Challenges that reach a terminal Error (pod failures, pending timeout, refused children); by default they are kept for organizers to see.',
  },
  {
    name: 'challenge-ttl',
    key: 'challengeTtlMs',
    kind: 'duration',
    def: () => '30m',
    help: 'Delete a Running Challenge this long after it started, unless its definition isOne (0 = never).',
  },
  {
    name: 'max-per-user',
    key: 'maxPerUser',
    kind: 'int',
    def: () => '0',
    help: 'Live Challenges allowed per user (0 = unlimited). Admission is atomic per user, so concurrent creates never exceed it; the rest wait, oldest first, in Error QuotaExceeded.',
  },
  {
    name: 'quota-wait-timeout',
    key: 'quotaWaitTimeoutMs',
    kind: 'duration',
    def: () => '0',
    help: 'Delete a Challenge still waiting for a --max-per-user slot this long after it was created (0 = it waits until a slot frees).',
  },
  {
    name: 'deleted-series-retention',
    key: 'deletedSeriesRetentionMs',
    kind: 'duration',
    def: () => '60s',
    help: 'How long a deleted Challenge stays exported as 2 (Deleted); keep it at least twice the scrape interval (minimum 10s).',
  },
  {
    name: 'series-state-configmap',
    key: 'seriesStateConfigMap',
    kind: 'string',
    def: () => '',
    help: 'ConfigMap (in --leader-election-namespace, the operator\'s own) that keeps recent Deleted series and the live set across restarts, so deletions shortly before a restart or while no operator runs are still exported as Deleted ("" = keep them in memory only).',
  },
  {
    name: 'max-concurrent-reconciles',
    key: 'maxConcurrentReconciles',
    kind: 'int',
    def: () => '4',
    help: 'Reconcile workers.',
  },
  {
    name: 'allowed-capabilities',
    key: 'allowedCapabilities',
    kind: 'string',
    def: () => '',
    help: "Comma-separated capabilities a definition's container may add (e.g. SYS_ADMIN for nsjail-style jails); such a container may also run as root. Empty = none. Never host namespaces, host paths, privileged or a ServiceAccount.",
  },
  {
    name: 'allowed-runtime-classes',
    key: 'allowedRuntimeClasses',
    kind: 'string',
    def: () => '',
    help: 'Comma-separated RuntimeClasses a definition may name in runtimeClassName (e.g. gvisor). Empty = none.',
  },
  {
    name: 'allow-load-balancer',
    key: 'allowLoadBalancer',
    kind: 'bool',
    def: () => 'false',
    help: 'Let definitions use Service type LoadBalancer (refused by default).',
  },
  {
    name: 'default-container-limits',
    key: 'defaultContainerLimits',
    kind: 'string',
    def: () => pairText(DEFAULT_BOUNDS.defaultLimits),
    help: "CPU and memory limits of a definition's container that names none, as cpu=<q>,memory=<q>.",
  },
  {
    name: 'default-container-requests',
    key: 'defaultContainerRequests',
    kind: 'string',
    def: () => pairText(DEFAULT_BOUNDS.defaultRequests),
    help: "CPU and memory requests of a definition's container that names none (capped at its limit), as cpu=<q>,memory=<q>.",
  },
  {
    name: 'max-container-resources',
    key: 'maxContainerResources',
    kind: 'string',
    def: () => pairText(DEFAULT_BOUNDS.maxContainer),
    help: "The most a definition's container may request or be limited to, as cpu=<q>,memory=<q>; above it the definition is refused.",
  },
  {
    name: 'max-empty-dir-memory',
    key: 'maxEmptyDirMemory',
    kind: 'string',
    def: () => DEFAULT_BOUNDS.maxEmptyDirMemory,
    help: 'The largest sizeLimit of a memory-backed emptyDir (one without a sizeLimit is refused).',
  },
  {
    name: 'max-replicas',
    key: 'maxReplicas',
    kind: 'int',
    def: () => String(DEFAULT_BOUNDS.maxReplicas),
    help: "Replicas of a definition's component at most.",
  },
  {
    name: 'max-termination-grace-period',
    key: 'maxTerminationGracePeriodMs',
    kind: 'duration',
    def: () => `${DEFAULT_BOUNDS.maxGraceSeconds}s`,
    help: 'terminationGracePeriodSeconds (pod, probes) and a preStop sleep at most; a preStop hook that runs code is refused.',
  },
  {
    name: 'network-policy',
    key: 'networkPolicy',
    kind: 'bool',
    def: () => 'true',
    help: 'Give every instance a NetworkPolicy: its own pods, DNS and the internet; not other instances, --internal-cidrs, the apiserver or cloud metadata.',
  },
  {
    name: 'internal-cidrs',
    key: 'internalCidrs',
    kind: 'string',
    def: () => DEFAULT_INTERNAL_CIDRS.join(','),
    help: "Ranges an instance may neither reach nor be reached from: the cluster's pod, service and node ranges and cloud metadata (default: private, shared, link-local and loopback ranges).",
  },
  {
    name: 'egress-allow-cidrs',
    key: 'egressAllowCidrs',
    kind: 'string',
    def: () => '',
    help: 'Comma-separated ranges inside --internal-cidrs that instances may still reach (what a challenge needs).',
  },
  {
    name: 'ingress-allow-cidrs',
    key: 'ingressAllowCidrs',
    kind: 'string',
    def: () => '',
    help: 'Comma-separated ranges inside --internal-cidrs that may reach instances (the nodes when NodePort traffic is SNATed, an ingress controller).',
  },
  {
    name: 'kubeconfig',
    key: 'kubeconfig',
    kind: 'string',
    def: (env) => env.KUBECONFIG || '',
    help: 'Path to a kubeconfig (default: $KUBECONFIG, else the in-cluster service account).',
  },
  {
    name: 'kube-api-qps',
    key: 'kubeApiQps',
    kind: 'float',
    def: () => '-1',
    help: "Requests per second of the controllers' and informers' client, sustained (a client-side token bucket; negative = no client-side limit, the default: the apiserver's API Priority and Fairness bounds the operator, see the chart's flowControl). Lease renewals and metrics token reviews have clients of their own and never wait for it.",
  },
  {
    name: 'kube-api-burst',
    key: 'kubeApiBurst',
    kind: 'int',
    def: () => '30',
    help: 'Requests the controllers may send at once above --kube-api-qps before they wait (the bucket size; only with a positive --kube-api-qps).',
  },
  {
    name: 'emit-events',
    key: 'emitEvents',
    kind: 'bool',
    def: () => 'true',
    help: 'Record Kubernetes Events (events.k8s.io/v1) about Challenges: children created, errors and their reasons, quota waits, TTL expiry, blocked cleanups. Repeats are aggregated and each Challenge is rate limited; false records none.',
  },
  {
    name: 'log-level',
    key: 'logLevel',
    kind: 'string',
    choices: ['debug', 'info', 'warn', 'error'],
    def: () => 'info',
    help: 'debug, info, warn or error (JSON lines on stderr).',
  },
  { name: 'help', key: 'help', kind: 'bool', def: () => 'false', help: 'Print this help and exit.' },
] as const satisfies readonly FlagSpec[];

type FlagValue<S extends FlagSpec> = S extends { choices: ReadonlyArray<infer C> } ? C : KindValue[S['kind']];

/** Parsed flag values, one field per FLAG_SPECS entry. */
export type Flags = { [S in (typeof FLAG_SPECS)[number] as S['key']]: FlagValue<S> };

export function parseFlags(argv: string[], env: NodeJS.ProcessEnv = process.env): Flags {
  const raw = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '-h') {
      raw.set('help', 'true');
      continue;
    }
    if (!arg.startsWith('-')) {
      throw new FlagError(`unexpected argument "${arg}"`);
    }
    const body = arg.replace(/^--?/, '');
    const eq = body.indexOf('=');
    const name = eq < 0 ? body : body.slice(0, eq);
    const spec = FLAG_SPECS.find((f) => f.name === name);
    if (!spec) {
      throw new FlagError(`unknown flag --${name}`);
    }
    if (eq >= 0) {
      raw.set(name, body.slice(eq + 1));
    } else if (spec.kind === 'bool') {
      raw.set(name, 'true');
    } else if (i + 1 < argv.length) {
      raw.set(name, argv[++i]);
    } else {
      throw new FlagError(`flag --${name} needs a value`);
    }
  }
  const out: Record<string, unknown> = {};
  for (const spec of FLAG_SPECS) {
    const value = raw.get(spec.name) ?? spec.def(env);
    out[spec.key] = convert(spec, value);
  }
  const flags = out as unknown as Flags;
  validate(flags);
  return flags;
}

function convert(spec: FlagSpec, value: string): unknown {
  switch (spec.kind) {
    case 'bool':
      if (value === 'true' || value === '1') {
        return true;
      }
      if (value === 'false' || value === '0') {
        return false;
      }
      throw new FlagError(`--${spec.name}: expected true or false, got "${value}"`);
    case 'int': {
      if (!/^\d+$/.test(value)) {
        throw new FlagError(`--${spec.name}: expected a non-negative integer, got "${value}"`);
      }
      return Number(value);
    }
    case 'float': {
      if (!/^-?(\d+(\.\d*)?|\.\d+)$/.test(value)) {
        throw new FlagError(`--${spec.name}: expected a number, got "${value}"`);
      }
      return Number(value);
    }
    case 'duration':
      try {
        return parseDuration(value);
      } catch (err) {
        throw new FlagError(`--${spec.name}: ${(err as Error).message}`);
      }
    default:
      return value;
  }
}

/** The shortest scrape interval we allow for; Deleted must survive two scrapes (the original HexaCTF operator: 30 s scrape, 60 s retention). */
const MIN_SCRAPE_INTERVAL_MS = 5000;

/** Checks a complete set of flag values (also used for in-process managers, which skip argv parsing). */
export function validate(f: Flags): void {
  if (!['debug', 'info', 'warn', 'error'].includes(f.logLevel)) {
    throw new FlagError(`--log-level: unknown level "${f.logLevel}"`);
  }
  if (f.maxConcurrentReconciles < 1) {
    throw new FlagError('--max-concurrent-reconciles must be at least 1');
  }
  if (f.deletedSeriesRetentionMs < 2 * MIN_SCRAPE_INTERVAL_MS) {
    throw new FlagError(
      `--deleted-series-retention must be at least twice the scrape interval (>= ${formatDuration(2 * MIN_SCRAPE_INTERVAL_MS)}); got ${formatDuration(f.deletedSeriesRetentionMs)}`
    );
  }
  if (f.kubeApiQps === 0) {
    throw new FlagError('--kube-api-qps must be positive, or negative to turn the limit off');
  }
  if (f.kubeApiQps > 0 && f.kubeApiBurst < 1) {
    throw new FlagError('--kube-api-burst must be at least 1 when --kube-api-qps is positive');
  }
  capabilityList(f.allowedCapabilities);
  runtimeClassList(f.allowedRuntimeClasses);
  try {
    resourceBounds(f);
  } catch (err) {
    throw new FlagError((err as Error).message);
  }
  namespaceList(f.namespace);
  for (const [flag, value] of [
    ['internal-cidrs', f.internalCidrs],
    ['egress-allow-cidrs', f.egressAllowCidrs],
    ['ingress-allow-cidrs', f.ingressAllowCidrs],
  ]) {
    try {
      cidrList(value, flag);
    } catch (err) {
      throw new FlagError((err as Error).message);
    }
  }
  if (f.leaseDurationMs < 2000) {
    throw new FlagError('--lease-duration must be at least 2s');
  }
  const times = electionTimes(f.leaseDurationMs);
  const renew = f.renewDeadlineMs || times.renewDeadlineMs;
  const retry = f.retryPeriodMs || times.retryPeriodMs;
  if (!(f.leaseDurationMs > renew && renew > retry)) {
    throw new FlagError(
      `leader election needs --lease-duration > --renew-deadline > --retry-period; got ${formatDuration(f.leaseDurationMs)} / ${formatDuration(renew)} / ${formatDuration(retry)}`
    );
  }
  if (f.metricsAuthMaxInflight < 1) {
    throw new FlagError('--metrics-auth-max-inflight must be at least 1');
  }
  if (f.seriesStateConfigMap && !/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/.test(f.seriesStateConfigMap)) {
    throw new FlagError(
      `--series-state-configmap: "${f.seriesStateConfigMap}" is not a valid ConfigMap name (lower case DNS subdomain)`
    );
  }
  for (const [flag, addr] of [
    ['metrics-bind-address', f.metricsBindAddress],
    ['health-probe-bind-address', f.healthProbeBindAddress],
  ]) {
    if (addr !== '0') {
      try {
        parseBindAddress(addr, flag);
      } catch (err) {
        throw new FlagError((err as Error).message);
      }
    }
  }
}

export function helpText(): string {
  const lines = ['Usage: node operator/src/main.ts [flags]', '', 'HexaCTF Challenge operator.', '', 'Flags:'];
  for (const f of FLAG_SPECS) {
    const def = f.def({});
    const shown = f.kind === 'bool' ? '' : ` ${f.kind}`;
    lines.push(`  --${f.name}${shown}`);
    const showDefault = f.kind !== 'bool' && def !== '' && !f.help.includes('(default:');
    lines.push(`        ${f.help}${showDefault ? ` (default "${def}")` : ''}`);
  }
  return lines.join('\n') + '\n';
}
