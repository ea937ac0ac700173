// The path test's script on the real operator (cluster.ts sets the stage): the situations in which dashboards used
// to lie (tests/README.md), a checkpoint after each step once the operator exports the apiserver's truth and every
// Prometheus server scraped it: a CTF, the operator SIGKILLed with deletions meanwhile and back as a new pod, an
// Error that recovers, a finalizer removed by hand, a delete and re-create under the same name, and the same id and
// user in two namespaces.
import { type KubeConfig } from '@kubernetes/client-node';
import { type Prometheus } from '@hexactf/testing/prometheus';
import { waitFor } from '@hexactf/testing/wait';
import { noLifecycle, type Checkpoint } from './checkpoints.ts';
import { Ctf, NS, NS2 } from './ctf.ts';
import type { LifecycleExposition } from './lifecycle-exposition.ts';
import type { Operator } from './operator-process.ts';
import { lastRuleEvalMs, lastScrapeMs, targets, writeTargets } from './scraping.ts';

/** Longer than path.jest.ts' rate interval (4 s) and a scrape. */
const QUIET_MS = 7000;

export interface Stage {
  kc: KubeConfig;
  op: Operator;
  /** Per Prometheus build: the three servers. */
  servers: Record<string, { default: Prometheus; legacy: Prometheus; original: Prometheus }>;
  /** The servers that scrape the operator (default and legacy of each build). */
  operatorServers: Prometheus[];
  /** The operator's service-discovery file. */
  operatorTargets: string;
}

/** Plays the script; returns its checkpoints, when it started, and the peaks of Running instances per user. */
export async function playCtf({ kc, op, servers, operatorServers, operatorTargets }: Stage) {
  /** Resolves once every Prometheus server scraped the running operator after this moment, and the rules ran. */
  const scrapedAfter = async (ms: number) => {
    for (const prom of operatorServers) {
      await waitFor(
        `a scrape of ${op.address} by ${prom.url} after ${new Date(ms).toISOString()}`,
        async () => (await lastScrapeMs(prom, op.address)) > ms + 10,
        15_000
      );
    }
    // ... and the recording rules evaluated after that scrape. One that starts just after it may not see its samples
    // yet, so wait for one a whole evaluation interval (1 s) later; the state is not changed before that.
    for (const { default: prom } of Object.values(servers)) {
      const scrape = await lastScrapeMs(prom, op.address);
      await waitFor(
        `a rule evaluation of ${prom.url} after the scrape`,
        async () => (await lastRuleEvalMs(prom)) > scrape + 1000,
        15_000
      );
    }
  };
  /** Waits for the operator to export namespace/name with value, then for every Prometheus server to scrape that. */
  const scraped = async (name: string, value: number, ns = NS) => {
    await waitFor(
      `${ns}/${name} exported as ${value}`,
      async () => (await op.series()).get(`${ns}/${name}`) === value,
      15_000
    );
    await scrapedAfter(Date.now());
  };
  const seen2 = (name: string, ns = NS) => scraped(name, 2, ns);

  const ctf = new Ctf(kc);
  const checkpoints: Checkpoint[] = [];
  /** The operator exports what the apiserver holds, every server scraped it, and the subqueries' step passed. */
  const checkpoint = async (step: string) => {
    const truth = await ctf.truth();
    await waitFor(
      `operator series equal to the apiserver (${step})`,
      async () => {
        const series = await op.series();
        return truth.every((r) => {
          const v = series.get(`${r.namespace}/${r.name}`);
          return r.state === 'Deleted' ? (v ?? 2) === 2 : v === r.value;
        });
      },
      15_000
    );
    // The lifecycle figures every server scraped: the same before and after the scrapes.
    let exposition: LifecycleExposition;
    for (let before = await op.lifecycle(); ; before = exposition) {
      await scrapedAfter(Date.now());
      exposition = await op.lifecycle();
      if (JSON.stringify(exposition) === JSON.stringify(before)) {
        break;
      }
    }
    // Subqueries ([range:]) evaluate at whole multiples of the 1 s evaluation interval: evaluate after the next
    // whole second following the last scrape, so the state is inside their last step too.
    const last = Math.max(
      ...(await Promise.all([
        ...operatorServers.map((p) => lastScrapeMs(p, op.address)),
        ...Object.values(servers).map((s) => lastRuleEvalMs(s.default)),
      ]))
    );
    await waitFor(
      'the next whole second after the last scrape',
      async () => Date.now() > Math.ceil(last / 1000) * 1000 + 100
    );
    const lifecycle = { since: podSince, truth: structuredClone(ctf.lifecycle), exposition };
    const cp: Checkpoint = { step, at: Date.now() / 1000, truth, reporting: true, lifecycle };
    checkpoints.push(cp);
    return cp;
  };

  /** Where the current operator pod's page range starts (PodLifecycle.since): its first sample there is all 0. */
  let podSince = Date.now() / 1000;
  // Every server has the lifecycle series at 0 before the first instance: the run's first observations count.
  await scrapedAfter(podSince * 1000);
  const startTime = Date.now() / 1000;
  // ---- the CTF
  await ctf.open('alice', '1', 'web-login');
  await ctf.open('alice', '2', 'pwn-echo');
  await ctf.run(Ctf.nameOf('alice', '1'));
  await ctf.run(Ctf.nameOf('alice', '2'));
  await ctf.open('alice', '3', 'crypto-rsa'); // her third live instance: over --max-per-user=2
  await ctf.state(Ctf.nameOf('alice', '3'), 'Error');

  await ctf.open('bob', '1', 'web-login');
  await ctf.open('bob', '4', 'web-broken');
  await ctf.run(Ctf.nameOf('bob', '1'));
  await ctf.failPull(Ctf.nameOf('bob', '4'), 'ErrImagePull');

  await ctf.open('carol', '1', 'web-login'); // stays Pending: nothing reports it available
  await ctf.state(Ctf.nameOf('carol', '1'), 'Pending');
  await ctf.open('carol', '3', 'crypto-rsa');
  await ctf.run(Ctf.nameOf('carol', '3'), NS, 2500); // waits in the second time-to-Running bucket
  await scraped(Ctf.nameOf('carol', '3'), 1); // Running long enough to count in the peak-concurrency history
  await ctf.close(Ctf.nameOf('carol', '3')); // Running, then deleted
  await seen2(Ctf.nameOf('carol', '3'));

  await ctf.open('dave', '2', 'pwn-echo');
  await ctf.state(Ctf.nameOf('dave', '2'), 'Pending');
  await ctf.close(Ctf.nameOf('dave', '2')); // deleted while Pending
  await seen2(Ctf.nameOf('dave', '2'));
  await ctf.open('dave', '4', 'web-broken');
  await ctf.failPull(Ctf.nameOf('dave', '4'), 'ImagePullBackOff');

  await ctf.open('erin', '3', 'crypto-rsa');
  await ctf.run(Ctf.nameOf('erin', '3'));
  const ctfDone = await checkpoint('the CTF played');
  // History the apiserver no longer holds, from the script itself: most instances Running at once per user.
  const peakRunning = { alice: 2, bob: 1, carol: 1, erin: 1 };

  // ---- the operator down for several scrape intervals, deletions meanwhile, then back as a new pod.
  // The pages show the state at the operator's last report to the minute (the status query's resolution), and the
  // last-report query reads the heartbeat at its subquery steps (multiples of 15 s): stay unchanged across a minute
  // boundary at least two scrape intervals after the checkpoint, so a scrape of the state just recorded lands
  // before that boundary and the last report found is not older than the checkpoint.
  await waitFor(
    'a minute boundary with the state unchanged',
    async () => Date.now() > Math.ceil((ctfDone.at + 2) / 60) * 60_000 + 1500,
    65_000,
    200
  );
  const lastOfFirstPod = await op.lifecycle();
  await op.kill();
  const killedAt = Date.now() / 1000;
  await ctf.requestDelete(Ctf.nameOf('alice', '2')); // waits on the operator's finalizer until it is back
  await ctf.requestDelete(Ctf.nameOf('carol', '1'));
  await ctf.removeFinalizer(Ctf.nameOf('carol', '1')); // an organizer does not wait: gone at once
  await ctf.client().waitForGone(Ctf.nameOf('carol', '1'));
  await waitFor('several scrape intervals down', async () => Date.now() > killedAt * 1000 + 5000);
  for (const prom of operatorServers) {
    await waitFor(
      `${prom.url} sees the operator down`,
      async () => (await targets(prom)).every((t) => t.health === 'down'),
      10_000
    );
  }
  checkpoints.push({
    step: 'operator down, two deletions meanwhile',
    at: Date.now() / 1000,
    truth: ctfDone.truth,
    reporting: false,
    stableFrom: ctfDone.at,
    killedAt,
  });

  // Nothing the first pod counted after the CTF's checkpoint (so its figures there are its last ones).
  if (JSON.stringify(lastOfFirstPod) !== JSON.stringify(ctfDone.lifecycle!.exposition)) {
    throw new Error('the first operator pod counted lifecycle events after the CTF checkpoint');
  }
  podSince = Date.now() / 1000;
  ctf.lifecycle = noLifecycle();
  await op.start(); // a new pod: new pod and instance labels
  writeTargets(operatorTargets, op.address, op.pod);
  // Its lifecycle series must reach Prometheus at 0, before it leads (only the leader observes): it waits out the
  // killed pod's lease meanwhile.
  await scrapedAfter(Date.now());
  if ((await op.lifecycle()).leading) {
    throw new Error(
      'the new operator pod led before every Prometheus server scraped it: its first lifecycle samples may not be 0'
    );
  }
  await ctf.gone(Ctf.nameOf('alice', '2'));
  // Her quota is free again: alice's Error instance (QuotaExceeded) recovers, Error -> Pending -> Running.
  await ctf.run(Ctf.nameOf('alice', '3'));
  await checkpoint('operator back as a new pod: deletions while down are Deleted, alice/3 recovered Error -> Running');

  // ---- delete and re-create under the same name, then delete again
  await ctf.close(Ctf.nameOf('bob', '1'));
  await seen2(Ctf.nameOf('bob', '1'));
  await ctf.open('bob', '1', 'web-login');
  await ctf.run(Ctf.nameOf('bob', '1'), NS, 6000); // in the third
  await checkpoint('bob/1 deleted and re-created under the same name');
  await ctf.close(Ctf.nameOf('bob', '1'));
  await seen2(Ctf.nameOf('bob', '1'));
  await checkpoint('bob/1 deleted again');

  // ---- a quiet stretch longer than the panels' rate interval: the per-minute panels fall back to 0
  await new Promise((ok) => setTimeout(ok, QUIET_MS));

  // ---- the same challenge id and user in a second namespace
  await ctf.open('erin', '3', 'crypto-rsa', NS2);
  await ctf.state(Ctf.nameOf('erin', '3'), 'Pending', NS2);
  await checkpoint('erin/3 in two namespaces: Running in ctf, Pending in ctf2');
  return { checkpoints, startTime, peakRunning };
}
