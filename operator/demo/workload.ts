// Demo workload: players opening and closing challenge instances (Challenge CRs) against a cluster that runs the
// operator, so the dashboards have something to show. Also the load generator for benchmarks: import
// runWorkload() and applyDefinitions().
//
//   node operator/demo/workload.ts --users 50 --challenges 10 --rate 5/s --fail-ratio 0.1 --duration 10m \
//     [--hold 2m] [--max-per-user 3] [--namespace hexactf-demo] [--kubeconfig FILE] [--seed 1] [--cleanup]
//
// Model: opens arrive at --rate; each picks a random player below --max-per-user and a challenge that player does
// not hold. With probability --fail-ratio it is the challenge whose definition fails (bad image), otherwise one of
// the others. Each instance is closed (deleted) after a random hold time with mean --hold (exponential), so about
// rate x hold instances are live at once.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ApiException, CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
// By path, not as @hexactf/testing: the image runs this file with only demo/, src/api/ and testing/random.ts copied.
import { seededRandom } from '../../testing/random.ts';
import {
  API_VERSION,
  CHALLENGE_PLURAL,
  DEFINITION_PLURAL,
  GROUP,
  LABEL_CHALLENGE_ID,
  LABEL_USER,
  VERSION,
  type ChallengeDefinition,
} from '../src/api/types.ts';

const DEFAULT_DEFINITIONS = resolve(import.meta.dirname, 'definitions.yaml');
/** Marks a demo definition that is meant to fail. */
const LABEL_FAILS = 'demo.hexactf.io/fails';
/** Marks Challenges the generator created, so --cleanup and tests can find them. */
export const LABEL_DEMO = 'demo.hexactf.io/workload';

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

interface WorkloadStats {
  opened: number;
  /** Of the opened, how many went to the failing challenge. */
  openedFailing: number;
  closed: number;
  /** Opens skipped because every player was at --max-per-user or held every challenge. */
  skipped: number;
  /** Creates refused with 409: the same name is still being deleted. */
  conflicts: number;
  errors: number;
  peakLive: number;
  peakPerUser: number;
  /** Opens per category, from the definitions. */
  byCategory: Record<string, number>;
}

interface CatalogEntry {
  challengeId: string;
  definition: string;
  category: string;
  fails: boolean;
}

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

export function loadDefinitions(file = DEFAULT_DEFINITIONS): ChallengeDefinition[] {
  return parseAllDocuments(readFileSync(file, 'utf8'))
    .map((d) => d.toJS() as ChallengeDefinition | null)
    .filter((d): d is ChallengeDefinition => d !== null && (d as { kind?: string }).kind === 'ChallengeDefinition');
}

/**
 * Challenge ids chal-01..chal-NN over the definitions: the last id uses a failing definition (when there is one),
 * the others cycle through the working ones.
 */
export function buildCatalog(defs: ChallengeDefinition[], count: number): CatalogEntry[] {
  const fails = (d: ChallengeDefinition) => d.metadata.labels?.[LABEL_FAILS] === 'true';
  const good = defs.filter((d) => !fails(d));
  const bad = defs.filter(fails);
  if (good.length === 0) {
    throw new Error('no working definition in the demo definitions');
  }
  const width = String(count).length < 2 ? 2 : String(count).length;
  const entry = (i: number, d: ChallengeDefinition): CatalogEntry => ({
    challengeId: `chal-${String(i + 1).padStart(width, '0')}`,
    definition: d.metadata.name,
    category: d.spec.category ?? 'uncategorized',
    fails: fails(d),
  });
  const catalog: CatalogEntry[] = [];
  const goodCount = bad.length > 0 && count > 1 ? count - 1 : count;
  for (let i = 0; i < goodCount; i++) {
    catalog.push(entry(i, good[i % good.length]));
  }
  if (goodCount < count) {
    catalog.push(entry(goodCount, bad[0]));
  }
  return catalog;
}

const isStatus = (e: unknown, code: number) => e instanceof ApiException && e.code === code;

/** Retries what the apiserver asks to retry (429, e.g. while a new CRD's watch cache warms up). */
export async function retryTooManyRequests<T>(call: () => Promise<T>, attempts = 8): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await call();
    } catch (e) {
      if (!isStatus(e, 429) || i >= attempts) {
        throw e;
      }
      await sleep(Math.min(2000, 100 * 2 ** i));
    }
  }
}

/** Creates the namespace (if allowed and missing) and creates or replaces each definition in it. */
export async function applyDefinitions(kc: KubeConfig, namespace: string, defs: ChallengeDefinition[]): Promise<void> {
  const core = kc.makeApiClient(CoreV1Api);
  try {
    await retryTooManyRequests(() => core.createNamespace({ body: { metadata: { name: namespace } } }));
  } catch (e) {
    // Exists already, or this identity may not create namespaces (in-cluster runs get one made for them).
    if (!isStatus(e, 409) && !isStatus(e, 403)) {
      throw e;
    }
  }
  const api = kc.makeApiClient(CustomObjectsApi);
  const target = { group: GROUP, version: VERSION, namespace, plural: DEFINITION_PLURAL };
  for (const def of defs) {
    const body = {
      ...def,
      apiVersion: API_VERSION,
      kind: 'ChallengeDefinition',
      metadata: { ...def.metadata, namespace },
    };
    try {
      await retryTooManyRequests(() => api.createNamespacedCustomObject({ ...target, body }));
    } catch (e) {
      if (!isStatus(e, 409)) {
        throw e;
      }
      const current = (await api.getNamespacedCustomObject({
        ...target,
        name: def.metadata.name,
      })) as ChallengeDefinition;
      const replaced = { ...body, metadata: { ...body.metadata, resourceVersion: current.metadata.resourceVersion } };
      await api.replaceNamespacedCustomObject({ ...target, name: def.metadata.name, body: replaced });
    }
  }
}

interface RunHooks {
  signal?: AbortSignal;
  log?: (line: string) => void;
  /** Called after each successful create, e.g. for benchmarks timing convergence. */
  onOpen?: (name: string, entry: CatalogEntry) => void;
  /** Called when an instance is closed (its delete is sent), e.g. for benchmarks counting live instances. */
  onClose?: (name: string) => void;
}

/** Generates the load described by options until durationMs passes or the signal aborts; returns the counts. */
export async function runWorkload(
  kc: KubeConfig,
  options: WorkloadOptions,
  defs: ChallengeDefinition[],
  hooks: RunHooks = {}
): Promise<WorkloadStats> {
  const api = kc.makeApiClient(CustomObjectsApi);
  const target = { group: GROUP, version: VERSION, namespace: options.namespace, plural: CHALLENGE_PLURAL };
  const random = seededRandom(options.seed);
  const catalog = buildCatalog(defs, options.challenges);
  const working = catalog.filter((c) => !c.fails);
  const failing = catalog.filter((c) => c.fails);
  const users = Array.from({ length: options.users }, (_, i) => `player-${String(i + 1).padStart(3, '0')}`);
  const stats: WorkloadStats = {
    opened: 0,
    openedFailing: 0,
    closed: 0,
    skipped: 0,
    conflicts: 0,
    errors: 0,
    peakLive: 0,
    peakPerUser: 0,
    byCategory: {},
  };
  const live = new Map<string, { user: string; challengeId: string; timer?: NodeJS.Timeout }>();
  const perUser = new Map<string, Set<string>>(users.map((u) => [u, new Set()]));
  const inFlight = new Set<Promise<void>>();
  const log = hooks.log ?? (() => {});
  const track = (p: Promise<void>) => {
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
  };

  const close = async (name: string) => {
    const inst = live.get(name);
    if (!inst) {
      return;
    }
    live.delete(name);
    hooks.onClose?.(name);
    try {
      await retryTooManyRequests(() => api.deleteNamespacedCustomObject({ ...target, name }));
      stats.closed++;
    } catch (e) {
      if (isStatus(e, 404)) {
        stats.closed++;
      } else {
        stats.errors++;
        log(`delete ${name}: ${(e as Error).message}`);
      }
    } finally {
      perUser.get(inst.user)!.delete(inst.challengeId);
    }
  };

  const open = async () => {
    const eligible = users.filter((u) => perUser.get(u)!.size < options.maxPerUser || options.maxPerUser === 0);
    if (eligible.length === 0) {
      stats.skipped++;
      return;
    }
    const user = eligible[Math.floor(random() * eligible.length)];
    const wantFail = failing.length > 0 && random() < options.failRatio;
    const held = perUser.get(user)!;
    const choices = (wantFail ? failing : working).filter((c) => !held.has(c.challengeId));
    if (choices.length === 0) {
      stats.skipped++;
      return;
    }
    const entry = choices[Math.floor(random() * choices.length)];
    const name = `${entry.challengeId}-${user}`;
    // Reserve before the request so a concurrent open does not pick the same pair.
    held.add(entry.challengeId);
    const holdMs = -Math.log(1 - random()) * options.holdMs;
    try {
      await retryTooManyRequests(() =>
        api.createNamespacedCustomObject({
          ...target,
          body: {
            apiVersion: API_VERSION,
            kind: 'Challenge',
            metadata: {
              name,
              labels: { [LABEL_CHALLENGE_ID]: entry.challengeId, [LABEL_USER]: user, [LABEL_DEMO]: 'true' },
            },
            spec: { definition: entry.definition },
          },
        })
      );
    } catch (e) {
      held.delete(entry.challengeId);
      if (isStatus(e, 409)) {
        stats.conflicts++;
      } else {
        stats.errors++;
        log(`create ${name}: ${(e as Error).message}`);
      }
      return;
    }
    stats.opened++;
    if (entry.fails) {
      stats.openedFailing++;
    }
    stats.byCategory[entry.category] = (stats.byCategory[entry.category] ?? 0) + 1;
    const timer = setTimeout(() => track(close(name)), holdMs);
    live.set(name, { user, challengeId: entry.challengeId, timer });
    stats.peakLive = Math.max(stats.peakLive, live.size);
    stats.peakPerUser = Math.max(stats.peakPerUser, held.size);
    hooks.onOpen?.(name, entry);
  };

  // Opens on a fixed schedule (start + k / rate), so slow requests do not lower the rate.
  const intervalMs = 1000 / options.rate;
  const start = Date.now();
  const endAt = options.durationMs > 0 ? start + options.durationMs : Infinity;
  let lastReport = start;
  for (let k = 0; ; k++) {
    const due = start + k * intervalMs;
    if (due >= endAt || hooks.signal?.aborted) {
      break;
    }
    const wait = due - Date.now();
    if (wait > 0) {
      const stopped = await sleep(wait, hooks.signal);
      if (stopped) {
        break;
      }
    }
    track(open());
    if (Date.now() - lastReport >= 10_000) {
      lastReport = Date.now();
      log(
        `opened=${stats.opened} closed=${stats.closed} live=${live.size} failing=${stats.openedFailing} errors=${stats.errors}`
      );
    }
  }
  await Promise.all(inFlight);

  for (const inst of live.values()) {
    clearTimeout(inst.timer);
  }
  if (options.cleanup) {
    await Promise.all([...live.keys()].map((name) => close(name)));
  }
  await Promise.all(inFlight);
  return stats;
}

/** Resolves true when the signal aborted before ms passed. */
function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  return new Promise((done) => {
    if (signal?.aborted) {
      return done(true);
    }
    const onAbort = () => {
      clearTimeout(t);
      done(true);
    };
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      done(false);
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

async function main(): Promise<void> {
  const args = parseWorkloadArgs(process.argv.slice(2));
  const kc = new KubeConfig();
  // --kubeconfig, else KUBECONFIG / ~/.kube/config, else the in-cluster service account.
  if (args.kubeconfig) {
    kc.loadFromFile(args.kubeconfig);
  } else {
    kc.loadFromDefault();
  }
  const defs = loadDefinitions(args.definitions);
  if (args.applyDefinitions) {
    await applyDefinitions(kc, args.options.namespace, defs);
  }
  const controller = new AbortController();
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => controller.abort());
  }
  const o = args.options;
  console.log(
    `workload: ${o.users} players, ${o.challenges} challenges, ${o.rate}/s, fail ${o.failRatio}, hold ${o.holdMs}ms, ` +
      `namespace ${o.namespace}, ${o.durationMs ? `for ${o.durationMs}ms` : 'until stopped'}`
  );
  const stats = await runWorkload(kc, o, defs, { signal: controller.signal, log: (l) => console.log(l) });
  console.log(JSON.stringify(stats));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
