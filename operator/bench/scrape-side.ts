// The served side of the /metrics benchmark (scrape.ts): n Challenges behind the operator's collector, or the same
// series as prom-client GaugeVecs (the baseline), served over HTTP and scraped with measure().
import {
  CATEGORY_LABEL,
  DEFINITION_LABEL,
  INFO_LABELS,
  INFO_METRIC,
  STATUS_LABEL_ORDER,
  STATUS_LABELS,
  STATUS_METRIC,
} from '@hexactf/contract';
import { Gauge } from 'prom-client';
import { ControllerMetrics } from '../src/metrics/controller-metrics.ts';
import { LifecycleMetrics } from '../src/metrics/lifecycle-metrics.ts';
import { SharedRender, sendRendered } from '../src/metrics/shared-render.ts';
import { ChallengeCollector } from '../src/metrics/challenge-collector.ts';
import { stateValue } from '../src/metrics/challenge-families.ts';
import { realClock } from '../src/clock.ts';
import { listen } from '../src/server/http-server.ts';
import { LABEL_CHALLENGE_ID, LABEL_USER, type Challenge } from '../src/api/types.ts';
import { filledInformer, makeChallenges, makeDefinitions } from './fixtures.ts';
import { measure, type Encoding, type Measure } from './scrape-measure.ts';

/** Serves n Challenges the operator's way ('operator') or prom-client's way ('baseline') and scrapes it. */
export async function runSide(
  side: 'operator' | 'baseline',
  n: number,
  runs: number,
  encoding: Encoding,
  churn: number,
  recent: boolean
): Promise<Measure> {
  const challenges = makeChallenges(n);
  const chInf = await filledInformer<Challenge>('challenges', challenges);
  const defInf = await filledInformer('definitions', makeDefinitions());
  const metrics = new ControllerMetrics(false);
  // The operator's registry also holds the lifecycle and event-recorder families (controller/setup.ts).
  new LifecycleMetrics(metrics.registry);
  metrics.eventStats();
  const registry = metrics.registry;
  // The cached objects as the informer holds them, in a map the churn can replace objects in (an informer update).
  const live = new Map([...chInf.list()].map((ch) => [`${ch.metadata.namespace}/${ch.metadata.name}`, ch]));
  let render: SharedRender;
  let between = () => {};
  if (side === 'operator') {
    const collector = new ChallengeCollector(
      {
        challenges: () => live.values(),
        get: (k) => live.get(k),
        definitions: () => defInf.list(),
        definition: (ns, name) => defInf.get(`${ns}/${name}`),
      },
      realClock,
      60_000
    );
    // What MetricsEndpoint (src/server/metrics-endpoint.ts) renders: registry text, then the challenge series.
    render = new SharedRender(async (push) => {
      push(await registry.metrics());
      await collector.renderPieces(push);
    });
    let round = 0;
    const all = [...live.keys()];
    const keys = recent ? all.slice(Math.floor(all.length * 0.95)) : all;
    between = () => {
      round++;
      for (let i = 0; i < churn; i++) {
        const key = keys[(round * 7919 + i * 104_729) % keys.length];
        const ch = live.get(key)!;
        const state = ch.status?.currentStatus?.state === 'Running' ? 'Error' : 'Running';
        live.set(key, { ...ch, status: { ...ch.status, currentStatus: { state, errorMsg: '' } } });
      }
    };
  } else {
    // The same series (challenge_resource_status + challenge_info) as prom-client GaugeVecs, set once and
    // rendered by prom-client on every scrape, next to the same controller metrics.
    const status = new Gauge({
      name: STATUS_METRIC,
      help: 'State of each Challenge.',
      labelNames: STATUS_LABEL_ORDER.map((r) => STATUS_LABELS[r]),
      registers: [registry],
    });
    const info = new Gauge({
      name: INFO_METRIC,
      help: 'One series per live Challenge.',
      labelNames: INFO_LABELS,
      registers: [registry],
    });
    for (const ch of challenges) {
      const l = ch.metadata.labels!;
      const labels = {
        [STATUS_LABELS.challengeId]: l[LABEL_CHALLENGE_ID],
        [STATUS_LABELS.challengeName]: ch.metadata.name,
        [STATUS_LABELS.username]: l[LABEL_USER],
        [STATUS_LABELS.namespace]: ch.metadata.namespace!,
      };
      status.set(labels, stateValue(ch));
      const def = defInf.get(`${ch.metadata.namespace}/${ch.spec.definition}`);
      info.set({ ...labels, [DEFINITION_LABEL]: ch.spec.definition, [CATEGORY_LABEL]: def?.spec.category ?? '' }, 1);
    }
    render = new SharedRender(async (push) => push(await registry.metrics()));
  }
  const server = await listen('127.0.0.1:0', {
    '/metrics': async (req, res) =>
      sendRendered(await render.get(), req.headers['accept-encoding'], registry.contentType, res),
    '/floor': (_q, res) => void res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n'),
  });
  try {
    // The fixtures' garbage (100,000 objects built, listed and copied) is collected before measuring: the lag
    // figures are about the scrape, not about a major GC of the setup that happens to fall into one.
    globalThis.gc?.();
    const m = await measure(`${server.url}/metrics`, runs, encoding, between);
    // What the machine alone does to the lag figure (a shared machine's scheduler, the process' own GC).
    const floor = await measure(`${server.url}/floor`, runs, encoding, () => {});
    return { ...m, floorLagMs: Math.max(floor.lagMs, floor.gapMs) };
  } finally {
    await server.close();
    chInf.stop();
    defInf.stop();
  }
}
