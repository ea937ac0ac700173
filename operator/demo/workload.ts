// Demo workload: players opening and closing challenge instances (Challenge CRs) against a cluster that runs the
// operator, so the dashboards have something to show. Also the load generator for benchmarks: import
// runWorkload() (and applyDefinitions() from catalog.ts). Options and the command line: options.ts.
//
//   node operator/demo/workload.ts --users 50 --challenges 10 --rate 5/s --fail-ratio 0.1 --duration 10m \
//     [--hold 2m] [--max-per-user 3] [--namespace hexactf-demo] [--kubeconfig FILE] [--seed 1] [--cleanup]
//
// Model: opens arrive at --rate; each picks a random player below --max-per-user and a challenge that player does
// not hold. With probability --fail-ratio it is the challenge whose definition fails (bad image), otherwise one of
// the others. Each instance is closed (deleted) after a random hold time with mean --hold (exponential), so about
// rate x hold instances are live at once.
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
// By path, not as @hexactf/testing: the image runs this file with only demo/, src/api/ and testing/random.ts copied.
import { seededRandom } from '../../testing/random.ts';
import {
  API_VERSION,
  CHALLENGE_PLURAL,
  GROUP,
  LABEL_CHALLENGE_ID,
  LABEL_USER,
  VERSION,
  type ChallengeDefinition,
} from '../src/api/types.ts';
import { isStatus, retryTooManyRequests, sleep } from './api-calls.ts';
import { applyDefinitions, buildCatalog, loadDefinitions, type CatalogEntry } from './catalog.ts';
import { parseWorkloadArgs, type WorkloadOptions } from './options.ts';

/** Marks Challenges the generator created, so --cleanup and tests can find them. */
export const LABEL_DEMO = 'demo.hexactf.io/workload';

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
