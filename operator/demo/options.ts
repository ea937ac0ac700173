// The demo workload's options and its command line (see workload.ts for what they mean).
import { parseArgs } from 'node:util';
import { DEFAULT_DEFINITIONS } from './catalog.ts';

export interface WorkloadOptions {
  namespace: string;
  users: number;
  /** Distinct challenge ids (chal-01 ...); one of them uses the failing definition. */
  challenges: number;
  /** Opens per second. */
  rate: number;
  /** Share of opens that go to the failing challenge (0..1). */
  failRatio: number;
  /** Mean time an instance stays open, ms. */
  holdMs: number;
  /** Live instances one player holds at most. */
  maxPerUser: number;
  /** How long to generate load, ms; 0 = until the signal aborts. */
  durationMs: number;
  /** Seed of the random choices, so runs repeat. */
  seed: number;
  /** Delete the instances still open at the end. */
  cleanup: boolean;
}

export const defaultOptions: WorkloadOptions = {
  namespace: 'hexactf-demo',
  users: 20,
  challenges: 8,
  rate: 0.5,
  failRatio: 0.1,
  holdMs: 120_000,
  maxPerUser: 3,
  durationMs: 0,
  seed: 1,
  cleanup: false,
};

/** "5/s", "30/m", "100/h" or a bare number (per second) -> per second. */
export function parseRate(text: string): number {
  const m = /^\s*([0-9]*\.?[0-9]+)\s*(?:\/\s*(s|m|h))?\s*$/.exec(text);
  if (!m) {
    throw new Error(`bad rate ${JSON.stringify(text)}: use e.g. 5/s, 30/m`);
  }
  const per = { s: 1, m: 60, h: 3600 }[(m[2] ?? 's') as 's' | 'm' | 'h'];
  return Number(m[1]) / per;
}

/** Go duration syntax ("1h30m", "10m", "500ms", "0") -> milliseconds. */
export function parseDuration(text: string): number {
  if (text.trim() === '0') {
    return 0;
  }
  const unit: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  const re = /([0-9]*\.?[0-9]+)(ms|s|m|h)/gy;
  let total = 0;
  let end = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    total += Number(m[1]) * unit[m[2]];
    end = re.lastIndex;
  }
  if (end === 0 || end !== text.length) {
    throw new Error(`bad duration ${JSON.stringify(text)}: use e.g. 30s, 10m, 1h30m`);
  }
  return total;
}

export function parseWorkloadArgs(argv: string[]): {
  options: WorkloadOptions;
  kubeconfig?: string;
  definitions: string;
  applyDefinitions: boolean;
} {
  const { values } = parseArgs({
    args: argv,
    options: {
      users: { type: 'string' },
      challenges: { type: 'string' },
      rate: { type: 'string' },
      'fail-ratio': { type: 'string' },
      hold: { type: 'string' },
      'max-per-user': { type: 'string' },
      duration: { type: 'string' },
      namespace: { type: 'string' },
      seed: { type: 'string' },
      kubeconfig: { type: 'string' },
      definitions: { type: 'string' },
      cleanup: { type: 'boolean' },
      'skip-definitions': { type: 'boolean' },
    },
    strict: true,
  });
  const int = (v: string | undefined, d: number, name: string) => {
    if (v === undefined) {
      return d;
    }
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) {
      throw new Error(`--${name} must be a whole number, got ${v}`);
    }
    return n;
  };
  const options: WorkloadOptions = {
    namespace: values.namespace ?? defaultOptions.namespace,
    users: int(values.users, defaultOptions.users, 'users'),
    challenges: int(values.challenges, defaultOptions.challenges, 'challenges'),
    rate: values.rate === undefined ? defaultOptions.rate : parseRate(values.rate),
    failRatio: values['fail-ratio'] === undefined ? defaultOptions.failRatio : Number(values['fail-ratio']),
    holdMs: values.hold === undefined ? defaultOptions.holdMs : parseDuration(values.hold),
    maxPerUser: int(values['max-per-user'], defaultOptions.maxPerUser, 'max-per-user'),
    durationMs: values.duration === undefined ? defaultOptions.durationMs : parseDuration(values.duration),
    seed: int(values.seed, defaultOptions.seed, 'seed'),
    cleanup: values.cleanup ?? false,
  };
  if (!(options.failRatio >= 0 && options.failRatio <= 1)) {
    throw new Error('--fail-ratio must be between 0 and 1');
  }
  if (options.users < 1 || options.challenges < 1 || options.rate <= 0) {
    throw new Error('--users, --challenges and --rate must be positive');
  }
  return {
    options,
    kubeconfig: values.kubeconfig,
    definitions: values.definitions ?? DEFAULT_DEFINITIONS,
    applyDefinitions: !values['skip-definitions'],
  };
}
