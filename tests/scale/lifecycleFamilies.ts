// The operator's lifecycle and controller metrics for a generated history (tests/scale/openmetrics.ts): what it would
// have exported while the instances of that history came and went, as OpenMetrics families for writeHistory's
// extraFamilies. Counters count from 0 in each leader pod (restartEveryS) and carry its `pod` label then; every
// series exists at 0 from the pod's first scrape, as the operator creates them (docs/metric-contract.md).
//
// Per instance: a None->Pending transition at its open, Pending->Running (its time to Running observed) or
// Pending->Error after its Pending scrapes, its lifetime observed when its cleanup ends (a few seconds after its
// deletion). Reconciles: three per open, one per deletion, two more (one an error) per failed instance, each with a
// drawn duration and queue wait; the queue depth is the opens of the last scrape interval over the two workers.
import {
  CHALLENGE_CONTROLLER,
  CONTROLLER_LABEL,
  CONTROLLER_METRICS,
  LIFETIME_METRIC,
  NO_STATE,
  STATE_NAMES,
  TIME_TO_RUNNING_METRIC,
  TRANSITIONS_METRIC,
} from '@hexactf/contract';
import { seededRandom } from '@hexactf/testing/random';
import { SCALE_CATALOG, missedScrape, podAt, type HistoryOptions, type Instance } from './openmetrics.ts';
import { emptyHistogram, histogramLines, observe, type HistogramCounts } from '@hexactf/testing/histogram';

const LIFECYCLE_BUCKETS = [1, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21600, 86400];
const RECONCILE_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
const QUEUE_BUCKETS = [1e-6, 1e-5, 1e-4, 1e-3, 0.01, 0.1, 1, 10];
const TRANSITION_PAIRS = [NO_STATE, ...STATE_NAMES.filter((s) => s !== 'Deleted')].flatMap((from) =>
  STATE_NAMES.filter((to) => to !== from).map((to) => [from, to] as const)
);

type Hist = HistogramCounts;
const hist = emptyHistogram;

interface Counts {
  transitions: Map<string, number>;
  ttr: Hist[];
  life: Hist[];
  reconciles: Record<'success' | 'error' | 'requeue', number>;
  errors: number;
  reconcileTime: Hist;
  queueWait: Hist;
}

type Event = { t: number; apply: (c: Counts) => void };

function events(list: readonly Instance[], o: HistoryOptions): Event[] {
  const rnd = seededRandom(o.seed + 7);
  const out: Event[] = [];
  const reconcile = (t: number, result: 'success' | 'error' | 'requeue') => {
    const took = 0.01 + rnd() * rnd() * 0.8;
    const waited = 10 ** (-5 + rnd() * 3);
    out.push({
      t,
      apply: (c) => {
        c.reconciles[result]++;
        c.errors += result === 'error' ? 1 : 0;
        observe(c.reconcileTime, RECONCILE_BUCKETS, took);
        observe(c.queueWait, QUEUE_BUCKETS, waited);
      },
    });
  };
  const transition = (t: number, from: string, to: string) =>
    out.push({ t, apply: (c) => c.transitions.set(`${from}|${to}`, (c.transitions.get(`${from}|${to}`) ?? 0) + 1) });
  for (const x of list) {
    transition(x.openS, NO_STATE, 'Pending');
    reconcile(x.openS, 'success');
    reconcile(x.openS + 1, 'requeue');
    const settled = x.openS + x.pendingS - rnd() * o.scrapeIntervalS * 0.8;
    reconcile(settled, 'success');
    if (x.error) {
      transition(settled, 'Pending', 'Error');
      reconcile(settled + 5, 'error');
      reconcile(settled + 30, 'requeue');
    } else {
      transition(settled, 'Pending', 'Running');
      const ttr = settled - x.openS;
      out.push({ t: settled, apply: (c) => observe(c.ttr[x.challenge], LIFECYCLE_BUCKETS, ttr) });
    }
    const cleaned = x.closeS + 2 + rnd() * 12;
    reconcile(x.closeS, x.stuck ? 'error' : 'success');
    if (x.stuck) {
      continue; // its cleanup never ends: no lifetime observed
    }
    out.push({ t: cleaned, apply: (c) => observe(c.life[x.challenge], LIFECYCLE_BUCKETS, cleaned - x.openS) });
  }
  return out.sort((a, b) => a.t - b.t);
}

const fmt = (v: number) => (Number.isInteger(v) ? String(v) : v.toPrecision(6));

function histLines(name: string, labels: string, bounds: number[], h: Hist, t: number): string {
  return histogramLines(name, labels, bounds, h, t, fmt).join('\n') + '\n';
}

/** Writes the families; resolves with the number of samples written. */
export async function writeLifecycleFamilies(
  list: readonly Instance[],
  o: HistoryOptions,
  write: (s: string) => Promise<void>
): Promise<number> {
  const evs = events(list, o);
  const cat = o.catalog ?? SCALE_CATALOG;
  const fresh = (): Counts => ({
    transitions: new Map(),
    ttr: Array.from({ length: o.challenges }, () => hist(LIFECYCLE_BUCKETS)),
    life: Array.from({ length: o.challenges }, () => hist(LIFECYCLE_BUCKETS)),
    reconciles: { success: 0, error: 0, requeue: 0 },
    errors: 0,
    reconcileTime: hist(RECONCILE_BUCKETS),
    queueWait: hist(QUEUE_BUCKETS),
  });
  const first = Math.ceil((o.endS - o.spanS) / o.scrapeIntervalS) * o.scrapeIntervalS;
  const opens = list.map((x) => x.openS).sort((a, b) => a - b);
  let samples = 0;
  const family = async (header: string, render: (c: Counts, t: number, pod: string) => string) => {
    await write(header);
    let c = fresh();
    let next = 0;
    let pod = -1;
    for (let t = first; t <= o.endS; t += o.scrapeIntervalS) {
      if (podAt(o, t) !== pod) {
        pod = podAt(o, t);
        c = fresh();
        while (next < evs.length && evs[next].t <= t - o.scrapeIntervalS) {
          next++; // before this pod started: not its to count
        }
      }
      while (next < evs.length && evs[next].t <= t) {
        evs[next++].apply(c);
      }
      if (missedScrape(o, t)) {
        continue;
      }
      const text = render(c, t, o.restartEveryS ? `,pod="challenge-operator-${pod}"` : '');
      samples += text.split('\n').length - 1;
      await write(text);
    }
  };
  const ns = `namespace="${o.namespace}"`;
  await family(`# TYPE ${TRANSITIONS_METRIC.replace(/_total$/, '')} counter\n`, (c, t, pod) =>
    TRANSITION_PAIRS.map(
      ([from, to]) =>
        `${TRANSITIONS_METRIC}{${ns},from="${from}",to="${to}"${pod}} ${c.transitions.get(`${from}|${to}`) ?? 0} ${t}\n`
    ).join('')
  );
  for (const [metric, pick] of [
    [TIME_TO_RUNNING_METRIC, (c: Counts) => c.ttr],
    [LIFETIME_METRIC, (c: Counts) => c.life],
  ] as const) {
    await family(`# TYPE ${metric} histogram\n`, (c, t, pod) =>
      pick(c)
        .map((h, d) => histLines(metric, `${ns},definition="${cat.definition(d)}"${pod}`, LIFECYCLE_BUCKETS, h, t))
        .join('')
    );
  }
  const ctl = `${CONTROLLER_LABEL}="${CHALLENGE_CONTROLLER}"`;
  const M = CONTROLLER_METRICS;
  await family(`# TYPE ${M.reconcileTotal.replace(/_total$/, '')} counter\n`, (c, t, pod) =>
    (['success', 'error', 'requeue'] as const)
      .map((r) => `${M.reconcileTotal}{${ctl},result="${r}"${pod}} ${c.reconciles[r]} ${t}\n`)
      .join('')
  );
  await family(
    `# TYPE ${M.reconcileErrors.replace(/_total$/, '')} counter\n`,
    (c, t, pod) => `${M.reconcileErrors}{${ctl}${pod}} ${c.errors} ${t}\n`
  );
  await family(`# TYPE ${M.reconcileTime} histogram\n`, (c, t, pod) =>
    histLines(M.reconcileTime, `${ctl}${pod}`, RECONCILE_BUCKETS, c.reconcileTime, t)
  );
  const queue = `name="${CHALLENGE_CONTROLLER}"`;
  await family(`# TYPE ${M.queueDuration} histogram\n`, (c, t, pod) =>
    histLines(M.queueDuration, `${queue}${pod}`, QUEUE_BUCKETS, c.queueWait, t)
  );
  let lo = 0;
  let hi = 0;
  await family(`# TYPE ${M.queueDepth} gauge\n`, (_c, t, pod) => {
    while (hi < opens.length && opens[hi] <= t) {
      hi++;
    }
    while (lo < hi && opens[lo] <= t - o.scrapeIntervalS) {
      lo++;
    }
    return `${M.queueDepth}{${queue}${pod}} ${Math.floor((hi - lo) / 2)} ${t}\n`;
  });
  return samples;
}
