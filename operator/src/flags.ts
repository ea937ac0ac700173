// Command-line flags (names fixed by the team conventions; the chart and tests rely on them). FLAG_SPECS is the one
// list: the Flags type is derived from it, parseFlags() and helpText() read it. To add a flag, add its spec to the file of its concern under flags/
// and pass it in the chart (values.yaml and templates/deployment.yaml); list it in operator/README.md (a unit test
// checks); options.ts hands flag values to the parts that use them.
import { cidrList } from './controller/network-policy.ts';
import { resourceBounds } from './controller/resource-bounds.ts';
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
import { API_CLIENT_FLAGS } from './flags/api-client.ts';
import { CHILD_POLICY_FLAGS } from './flags/child-policy.ts';
import { GENERAL_FLAGS } from './flags/general.ts';
import { LEADER_ELECTION_FLAGS } from './flags/leader-election.ts';
import { LIFECYCLE_FLAGS } from './flags/lifecycle.ts';
import { NETWORK_FLAGS } from './flags/network.ts';
import { RESOURCE_BOUNDS_FLAGS } from './flags/resource-bounds.ts';
import { SERVING_FLAGS } from './flags/serving.ts';
import type { FlagSpec, KindValue } from './flags/spec.ts';

export const FLAG_SPECS = [
  ...SERVING_FLAGS,
  ...LEADER_ELECTION_FLAGS,
  ...LIFECYCLE_FLAGS,
  ...CHILD_POLICY_FLAGS,
  ...RESOURCE_BOUNDS_FLAGS,
  ...NETWORK_FLAGS,
  ...API_CLIENT_FLAGS,
  ...GENERAL_FLAGS,
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
