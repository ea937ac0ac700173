// Synthetic CTF history as OpenMetrics text for `promtool tsdb create-blocks-from openmetrics`: what a Prometheus
// scraping the operator every 30 s would hold after an event.
//
// Model (seeded, so runs repeat): `instances` Challenge instances (one series each), users x challenges with every
// (user, challenge) pair used at most once. Opens arrive uniformly over the span (plus a lead-in, so the window
// starts with instances already alive); each lives an exponential time (mean `meanLifetimeS`). An instance is Pending
// for 1-2 scrapes, then Running, or Error for `errorRatio` of them (kept until deleted, as the operator does); on
// deletion it is exported as Deleted (2) for the operator's default 60 s retention, then the series ends. Instances
// whose lifetime passes the end are still live at the end.
//
// Families written: challenge_resource_status (the HexaCTF write-up's gauge), challenge_info (1 per live instance, additive)
// and challenge_definition_requests (per definition and resource). Samples are written in time order, family by
// family, as OpenMetrics requires.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import {
  CATEGORY_LABEL, DEFINITION_LABEL, INFO_METRIC, REQUESTS_METRIC, REQUESTS_NAMESPACE_LABEL, RESOURCE_LABEL, STATE_CODES, STATUS_HELP, STATUS_LABELS, STATUS_METRIC,
} from '@hexactf/contract';
import { seededRandom } from '@hexactf/testing/random';

export interface HistoryOptions {
  instances: number;
  users: number;
  challenges: number;
  /** Span of the history, seconds; it ends at endS. */
  spanS: number;
  endS: number;
  scrapeIntervalS: number;
  meanLifetimeS: number;
  errorRatio: number;
  retentionS: number;
  namespace: string;
  seed: number;
  /**
   * The operator's leader changes every this many seconds (a rollout, a failover): the series of the instances alive
   * then continue under a new `pod` label after one missed scrape, so such an instance is several series. Unset:
   * no `pod` label at all (one series per instance).
   */
  restartEveryS?: number;
  /** Share of deletions that never finish (exported as Deleted to the end: what Triage lists); default none. */
  stuckRatio?: number;
  /** Names of users and challenges and what a challenge's definition is; default the scale names below. */
  catalog?: Catalog;
  /** Families written after the three above (OpenMetrics: one family after the other), from the same instances. */
  extraFamilies?: (list: readonly Instance[], o: HistoryOptions, write: (s: string) => Promise<void>) => Promise<number>;
}

/** How the generated history names things. */
export interface Catalog {
  user(u: number): string;
  challenge(c: number): string;
  definition(c: number): string;
  category(c: number): string;
  /** What one instance of challenge c requests: cores and bytes. */
  requests(c: number): { cpu: number; memory: number };
}

export const CATEGORIES = ['web', 'pwn', 'crypto', 'rev', 'forensics', 'misc'];

export interface Instance {
  challenge: number;
  user: number;
  openS: number;
  closeS: number;
  pendingS: number;
  error: boolean;
  /** Its deletion never finishes. */
  stuck?: boolean;
}

const pad = (n: number, w: number) => String(n).padStart(w, '0');

export function challengeId(c: number): string {
  return `chal-${pad(c + 1, 3)}`;
}
export function userName(u: number): string {
  return `player-${pad(u + 1, 5)}`;
}

export const SCALE_CATALOG: Catalog = {
  user: (u) => userName(u),
  challenge: (c) => challengeId(c),
  definition: (c) => `def-${pad(c + 1, 3)}`,
  category: (c) => CATEGORIES[c % CATEGORIES.length],
  requests: (c) => ({ cpu: 0.05 * (1 + (c % 4)), memory: 67108864 * (1 + (c % 3)) }),
};

/** The leader's pod at time t (restartEveryS set): a new one every restartEveryS from the history's start. */
export function podAt(o: HistoryOptions, t: number): number {
  return o.restartEveryS ? Math.floor((t - (o.endS - o.spanS)) / o.restartEveryS) : 0;
}

/** Whether t is the one scrape each new leader misses (the old pod gone, the new one not yet scraped). */
export function missedScrape(o: HistoryOptions, t: number): boolean {
  if (!o.restartEveryS) {
    return false;
  }
  const since = (t - (o.endS - o.spanS)) % o.restartEveryS;
  return since >= 0 && since < o.scrapeIntervalS && t > o.endS - o.spanS + o.scrapeIntervalS;
}

export function instancesOf(o: HistoryOptions): Instance[] {
  const rnd = seededRandom(o.seed);
  const perUser = Math.ceil(o.instances / o.users);
  if (perUser > o.challenges) {
    throw new Error(`${o.instances} instances need ${perUser} challenges per user, only ${o.challenges} exist`);
  }
  const startS = o.endS - o.spanS;
  const leadInS = o.meanLifetimeS;
  const out: Instance[] = [];
  for (let i = 0; i < o.instances; i++) {
    const user = i % o.users;
    const k = Math.floor(i / o.users);
    // k-th distinct challenge of this user: 7 is coprime with the challenge count used here, so pairs never repeat.
    const challenge = (k * 7 + user) % o.challenges;
    // Drawn again until the instance is visible in the window, so the file holds exactly `instances` series.
    let openS: number;
    let lifeS: number;
    do {
      openS = startS - leadInS + rnd() * (o.spanS + leadInS);
      lifeS = Math.max(o.scrapeIntervalS * 3, -Math.log(1 - rnd()) * o.meanLifetimeS);
    } while (openS + lifeS + o.retentionS <= startS + o.scrapeIntervalS);
    out.push({
      challenge, user, openS, closeS: openS + lifeS,
      pendingS: o.scrapeIntervalS * (1 + Math.floor(rnd() * 2)),
      error: rnd() < o.errorRatio,
      // Drawn only when asked for, so histories without it repeat those written before the option existed.
      stuck: o.stuckRatio ? rnd() < o.stuckRatio : undefined,
    });
  }
  return out.sort((a, b) => a.openS - b.openS);
}

export interface HistoryStats {
  statusSeries: number;
  samples: number;
  peakLive: number;
  bytes: number;
}

/** Writes the OpenMetrics file; resolves with what it wrote. */
export async function writeHistory(file: string, o: HistoryOptions): Promise<HistoryStats> {
  const list = instancesOf(o);
  const out = createWriteStream(file, { highWaterMark: 1 << 20 });
  let bytes = 0;
  let buf = '';
  const write = async (s: string) => {
    buf += s;
    if (buf.length > 1 << 20) {
      bytes += Buffer.byteLength(buf);
      if (!out.write(buf)) {
        await once(out, 'drain');
      }
      buf = '';
    }
  };
  const startS = o.endS - o.spanS;
  const first = Math.ceil(startS / o.scrapeIntervalS) * o.scrapeIntervalS;
  const ns = o.namespace;
  const L = STATUS_LABELS;
  const cat = o.catalog ?? SCALE_CATALOG;
  const labels = (x: Instance, t: number) => {
    const c = cat.challenge(x.challenge);
    const u = cat.user(x.user);
    const pod = o.restartEveryS ? `,pod="challenge-operator-${podAt(o, t)}"` : '';
    return `${L.challengeId}="${c}",${L.challengeName}="${c}-${u}",${L.username}="${u}",${L.namespace}="${ns}"${pod}`;
  };
  const category = (c: number) => cat.category(c);
  let samples = 0;
  let peakLive = 0;
  const seen = new Set<number>();

  // One pass per family over the scrape times, keeping the instances alive at t in a list ordered by open time.
  const walk = async (emit: (x: Instance, idx: number, t: number) => Promise<void>) => {
    let next = 0;
    let active: number[] = [];
    for (let t = first; t <= o.endS; t += o.scrapeIntervalS) {
      while (next < list.length && list[next].openS <= t) {
        active.push(next++);
      }
      active = active.filter((i) => list[i].stuck || list[i].closeS + o.retentionS > t);
      if (missedScrape(o, t)) {
        continue;
      }
      for (const i of active) {
        await emit(list[i], i, t);
      }
    }
  };

  await write(`# TYPE ${STATUS_METRIC} gauge\n# HELP ${STATUS_METRIC} ${STATUS_HELP}\n`);
  let lastT = -1;
  let liveAtT = 0;
  await walk(async (x, i, t) => {
    if (t !== lastT) {
      peakLive = Math.max(peakLive, liveAtT);
      liveAtT = 0;
      lastT = t;
    }
    const { Pending, Running, Deleted, Error: ErrorState } = STATE_CODES;
    const value = t >= x.closeS ? Deleted : t < x.openS + x.pendingS ? Pending : x.error ? ErrorState : Running;
    if (value !== Deleted) {
      liveAtT++;
    }
    seen.add(i);
    samples++;
    await write(`${STATUS_METRIC}{${labels(x, t)}} ${value} ${t}\n`);
  });
  peakLive = Math.max(peakLive, liveAtT);

  await write(`# TYPE ${INFO_METRIC} gauge\n# HELP ${INFO_METRIC} Live Challenge with its definition and category.\n`);
  await walk(async (x, _i, t) => {
    if (t < x.closeS) {
      samples++;
      await write(`${INFO_METRIC}{${labels(x, t)},${DEFINITION_LABEL}="${cat.definition(x.challenge)}",${CATEGORY_LABEL}="${category(x.challenge)}"} 1 ${t}\n`);
    }
  });

  await write(`# TYPE ${REQUESTS_METRIC} gauge\n# HELP ${REQUESTS_METRIC} Requests of one instance of a definition.\n`);
  for (let t = first; t <= o.endS; t += o.scrapeIntervalS) {
    for (let c = 0; c < o.challenges; c++) {
      const d = `${REQUESTS_NAMESPACE_LABEL}="${ns}",${DEFINITION_LABEL}="${cat.definition(c)}",${CATEGORY_LABEL}="${category(c)}"`;
      const r = cat.requests(c);
      samples += 2;
      await write(`${REQUESTS_METRIC}{${d},${RESOURCE_LABEL}="cpu"} ${r.cpu} ${t}\n` +
        `${REQUESTS_METRIC}{${d},${RESOURCE_LABEL}="memory"} ${r.memory} ${t}\n`);
    }
  }
  if (o.extraFamilies) {
    samples += await o.extraFamilies(list, o, write);
  }
  await write('# EOF\n');
  bytes += Buffer.byteLength(buf);
  out.end(buf);
  await once(out, 'finish');
  return { statusSeries: seen.size, samples, peakLive, bytes };
}
