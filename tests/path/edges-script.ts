// The edge plays on the real operator replicas (edges-cluster.ts sets the stage), a checkpoint after each step once
// the leader exports the apiserver's truth and every Prometheus server scraped it:
// - a two-replica handover: the leader SIGKILLed while the standby waits out its Lease (nobody reports meanwhile),
//   the standby takes over; then a graceful handover to a third pod (the stopped leader releases the Lease at once);
// - a torn-down namespace: its instances deleted, then the operator stopped, the range viewed later;
// - a job rename: the operator back as a new pod, the scrape job renamed by a config reload of every Prometheus (as
//   Prometheus Operator applies a ServiceMonitor replacing a static config): its heartbeat gets a new identity, the
//   Challenge series (job dropped by the chart's scrape settings) keep theirs; then an Error instance deleted.
// Around each handover it records a span in which the cluster did not change (the over-time panel must show nothing
// else).
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type Prometheus } from '@hexactf/testing/prometheus';
import { waitFor } from '@hexactf/testing/wait';
import type { Checkpoint } from './checkpoints.ts';
import { Ctf } from './ctf.ts';
import { EDGE_JOBS, type EdgesCluster, type Play, type QuietSpan } from './edges-checkpoints.ts';
import { LEASE, type Replica } from './edges-replica.ts';
import { lastRuleEvalMs, lastScrapeMs, scrapeConfig, targets, writePodTargets } from './scraping.ts';

/** Where the CTF goes on. */
export const EDGE = 'edge';
/** The namespace torn down at the end. */
export const GONE = 'gone';

export interface EdgesStage {
  ctf: Ctf;
  /** The first leader and its standby, both scraped. */
  a: Replica;
  b: Replica;
  /** Starts another replica (not yet scraped). */
  newReplica: (pod: string) => Promise<Replica>;
  /** One Prometheus server per build, scraping every replica in targetsFile. */
  servers: Prometheus[];
  targetsFile: string;
  relabelings: string[];
}

/** Plays the three plays; returns their checkpoints, the quiet spans and when the run started. */
export async function playEdges({ ctf, a, b, newReplica, servers, targetsFile, relabelings }: EdgesStage) {
  let leader = a;
  /** Every server scraped the leader after `ms`, and its dashboard rules ran a whole interval after that scrape. */
  const scrapedAfter = async (ms: number, replica = leader) => {
    for (const prom of servers) {
      await waitFor(
        `a scrape of ${replica.pod} by ${prom.url} after ${new Date(ms).toISOString()}`,
        async () => (await lastScrapeMs(prom, replica.address)) > ms + 10,
        20_000
      );
      const scrape = await lastScrapeMs(prom, replica.address);
      await waitFor(
        `a rule evaluation of ${prom.url} after the scrape`,
        async () => (await lastRuleEvalMs(prom)) > scrape + 1000,
        20_000
      );
    }
  };

  const checkpoints: EdgesCluster['checkpoints'] = [];
  const spans: QuietSpan[] = [];
  /** The leader exports what the apiserver holds, every server scraped it, and the next whole second passed. */
  const checkpoint = async (play: Play, step: string): Promise<Checkpoint & { play: Play }> => {
    const rows = await ctf.truth();
    await waitFor(
      `the leader's series equal to the apiserver (${step})`,
      async () => {
        const series = await leader.series();
        return rows.every((r) => {
          const v = series.get(`${r.namespace}/${r.name}`);
          return r.state === 'Deleted' ? (v ?? 2) === 2 : v === r.value;
        });
      },
      20_000
    );
    await scrapedAfter(Date.now());
    const last = Math.max(...(await Promise.all(servers.map((prom) => lastScrapeMs(prom, leader.address)))));
    await waitFor(
      'the next whole second after the last scrape',
      async () => Date.now() > Math.ceil(last / 1000) * 1000 + 100
    );
    const cp = { play, step, at: Date.now() / 1000, truth: rows, reporting: true };
    checkpoints.push(cp);
    return cp;
  };

  const name = Ctf.nameOf;
  const open = (ns: string, user: string, id: string, definition: string) => ctf.open(user, id, definition, ns);
  const run = (ns: string, ch: string) => ctf.run(ch, ns);
  const failPull = (ns: string, ch: string) => ctf.failPull(ch, 'ErrImagePull', ns);
  /** Asks for the deletion; the leader's finalizer finishes it (gone waits for that). */
  const remove = (ns: string, ch: string) => ctf.requestDelete(ch, ns);
  const gone = (ns: string, ch: string) => ctf.gone(ch, ns);
  /** Waits until the leader no longer exports namespace/name (its Deleted tombstone retained, then removed). */
  const seriesGone = async (ns: string, ch: string) =>
    waitFor(`${ns}/${ch} no longer exported`, async () => !(await leader.series()).has(`${ns}/${ch}`), 30_000);
  const allDown = async (replica: Replica) => {
    for (const prom of servers) {
      await waitFor(
        `${prom.url} sees ${replica.pod} down`,
        async () => (await targets(prom)).find((t) => t.scrapeUrl.includes(`//${replica.address}/`))?.health === 'down',
        15_000
      );
    }
  };

  /**
   * The page's last-report query reads the heartbeat at 15 s subquery steps: before the operator stops reporting,
   * wait for a step two scrapes after the checkpoint, so the last report found is not older than it.
   */
  const stepAfter = (cp: { at: number }) =>
    waitFor(
      'a 15 s step after the checkpoint',
      async () => Date.now() > Math.ceil((cp.at + 2) / 15) * 15_000 + 1500,
      20_000,
      200
    );

  await scrapedAfter(Date.now());
  const startTime = Date.now() / 1000;

  // ---- the CTF, on the leader a with b standing by
  await run(EDGE, await open(EDGE, 'ann', '1', 'web-login'));
  await failPull(EDGE, await open(EDGE, 'ben', '2', 'web-broken'));
  await ctf.client(EDGE).waitForState(await open(EDGE, 'cat', '1', 'web-login'), 'Pending');
  await failPull(EDGE, await open(EDGE, 'fay', '2', 'web-broken'));
  await run(GONE, await open(GONE, 'dan', '1', 'web-login'));
  await run(GONE, await open(GONE, 'eve', '1', 'web-login'));
  if (await b.leading()) {
    throw new Error('the standby leads');
  }
  const before = await checkpoint('handover', 'two replicas: a leads, b stands by');

  // ---- the leader SIGKILLed: b waits out its Lease; nobody reports meanwhile
  await stepAfter(before);
  await a.kill();
  const killedAt = Date.now() / 1000;
  await allDown(a);
  if (await b.leading()) {
    throw new Error(`b took over before every server saw a down: raise LEASE (${LEASE})`);
  }
  checkpoints.push({
    play: 'handover',
    step: 'leader a killed, b waits out its Lease',
    at: Date.now() / 1000,
    truth: before.truth,
    reporting: false,
    stableFrom: before.at,
    killedAt,
  });
  if (await b.leading()) {
    throw new Error(`b took over while the not-reporting checkpoint was recorded: raise LEASE (${LEASE})`);
  }
  await waitFor('b leads', () => b.leading(), 30_000);
  leader = b;
  const tookOver = await checkpoint('handover', 'b took over from the killed a');
  spans.push({ what: 'a killed, b took over', from: before.at, to: tookOver.at, truth: before.truth });

  // ---- b reconciles: cat runs, ben's Error deleted
  await run(EDGE, name('cat', '1'));
  await remove(EDGE, name('ben', '2'));
  await gone(EDGE, name('ben', '2'));
  const reconciled = await checkpoint('handover', 'b reconciles: cat Running, ben (Error) deleted');

  // ---- a graceful handover: c stands by, b stops and releases the Lease, c takes over at once
  const c = await newReplica('hexactf-challenge-operator-c');
  writePodTargets(targetsFile, [b, c]);
  await scrapedAfter(Date.now(), c);
  const beforeGraceful = await checkpoint('handover', 'c stands by');
  await b.stop();
  await waitFor('c leads', () => c.leading(), 30_000);
  leader = c;
  const graceful = await checkpoint('handover', 'b stopped, c took over');
  spans.push({ what: 'b stopped, c took over', from: beforeGraceful.at, to: graceful.at, truth: reconciled.truth });

  // ---- the namespace torn down: its instances deleted, then the operator stopped, viewed later
  await remove(GONE, name('dan', '1'));
  await remove(GONE, name('eve', '1'));
  await gone(GONE, name('dan', '1'));
  await gone(GONE, name('eve', '1'));
  await seriesGone(GONE, name('dan', '1'));
  await seriesGone(GONE, name('eve', '1'));
  const tornDown = await checkpoint('teardown', `namespace ${GONE} torn down`);
  await stepAfter(tornDown);
  await c.stop();
  const stoppedAt = Date.now() / 1000;
  await allDown(c);
  // Viewed later: a range ending well after the operator stopped.
  await waitFor('a while later', async () => Date.now() > stoppedAt * 1000 + 15_000, 20_000, 200);
  checkpoints.push({
    play: 'teardown',
    step: 'the operator stopped, viewed later',
    at: Date.now() / 1000,
    truth: tornDown.truth,
    reporting: false,
    stableFrom: tornDown.at,
    killedAt: stoppedAt,
  });

  // ---- the operator back as pod d; the scrape job renamed by a config reload, then an Error instance deleted. A
  // reload that removes a scrape job (as a restart) writes no staleness markers for its series: a series that kept
  // the job would stay within Prometheus' 5 m lookback beside the new job's.
  const d = await newReplica('hexactf-challenge-operator-d');
  writePodTargets(targetsFile, [d]);
  await waitFor('d leads', () => d.leading(), 30_000);
  leader = d;
  await failPull(EDGE, await open(EDGE, 'gil', '2', 'web-broken'));
  await checkpoint('rename', 'operator back as pod d, gil in Error');
  for (const prom of servers) {
    writeFileSync(
      join(dirname(prom.logFile), 'prometheus.yml'),
      scrapeConfig('default', targetsFile, relabelings, EDGE_JOBS[1])
    );
    const r = await fetch(`${prom.url}/-/reload`, { method: 'POST' });
    if (!r.ok) {
      throw new Error(`reload of ${prom.url}: ${r.status} ${await r.text()}`);
    }
  }
  await checkpoint('rename', 'the scrape job renamed by a config reload');
  await remove(EDGE, name('fay', '2'));
  await gone(EDGE, name('fay', '2'));
  await seriesGone(EDGE, name('fay', '2'));
  await checkpoint('rename', 'after the reload: fay (Error) deleted, its series gone');

  return { checkpoints, spans, startTime };
}
