// One Challenge is one series across operator restarts and leader changes. The chart's ServiceMonitor (and the local
// stack's scrape config) drop the per-pod target labels from the Challenge series; that is sound only because
// exactly one replica exports them. Proven with two real operator replicas under leader election on the real
// apiserver, scraped by a real Prometheus as two pods of one job with the chart's relabelings (and, as a control,
// as a job without them), through a hand-over from one pod to the other. On the way, the chart's heartbeat (the
// reporting rule) counts only the replica that leads: not one that lost the Lease and keeps its reconcile counter.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { CoordinationV1Api, V1MicroTime } from '@kubernetes/client-node';
import { INFO_METRIC, RECORDING_RULES, REQUESTS_METRIC, STATUS_METRIC } from '@hexactf/contract';
import { startPrometheus } from '@hexactf/testing/prometheus';
import { waitFor } from '@hexactf/testing/wait';
import { connectTestEnv } from '../support/test-env.ts';
import { Fixture } from '../integration/harness.ts';
import { prometheusConfig } from '../hostile/prometheus.ts';
import { findObject, renderChart } from './helm.ts';

const repo = resolve(import.meta.dirname, '../../..');
const CHALLENGE_SERIES = [STATUS_METRIC, INFO_METRIC, REQUESTS_METRIC];

/** The ServiceMonitor's metricRelabelings, in Prometheus' own (snake_case) spelling. */
function chartRelabelings(set: string[] = []): Array<Record<string, unknown>> {
  const sm: any = findObject(renderChart({ set: ['serviceMonitor.enabled=true', ...set] }), 'ServiceMonitor');
  const snake = (k: string) => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  return sm.spec.endpoints[0].metricRelabelings.map((r: Record<string, unknown>) =>
    Object.fromEntries(Object.entries(r).map(([k, v]) => [snake(k), v]))
  );
}

/** The expression of one of the chart's recording rules (files/rules.yaml). */
function ruleExpr(record: string): string {
  const groups: Array<{ rules: Array<{ record?: string; expr: string }> }> = parse(
    readFileSync(join(repo, 'operator/chart/files/rules.yaml'), 'utf8')
  ).groups;
  const rule = groups.flatMap((g) => g.rules).find((r) => r.record === record);
  assert.ok(rule, record);
  return rule.expr;
}

/** The metric names a relabeling's regex selects (it is `(?:a|b|c)()`). */
const namesOf = (regex: unknown) => /^\(\?:([a-z_|:]+)\)\(\)$/.exec(String(regex))?.[1].split('|') ?? [];

describe('Challenge series identity', () => {
  it("the ServiceMonitor drops pod, instance and job from exactly the contract's Challenge series, before user relabelings", () => {
    const rules = chartRelabelings([
      'serviceMonitor.metricRelabelings[0].action=labeldrop',
      'serviceMonitor.metricRelabelings[0].regex=foo',
    ]);
    assert.deepEqual(
      rules.map((r) => r.target_label ?? r.action),
      ['pod', 'instance', 'job', 'labeldrop']
    );
    for (const r of rules.slice(0, 3)) {
      assert.deepEqual(r.source_labels, ['__name__']);
      assert.deepEqual(namesOf(r.regex).sort(), [...CHALLENGE_SERIES].sort());
      assert.equal(r.action, 'replace');
      assert.equal(r.replacement, undefined, 'the empty group, not an explicit "", empties the label');
    }
  });

  it("the local stack's Prometheus does the same", () => {
    const config = parse(readFileSync(join(repo, 'deploy/prometheus/prometheus.yml'), 'utf8'));
    const job = config.scrape_configs.find((j: { job_name: string }) => j.job_name === 'challenge-operator');
    // Prometheus' default action is replace, which the stack's file leaves implicit.
    assert.deepEqual(
      job.metric_relabel_configs,
      chartRelabelings().map(({ action: _action, ...rule }) => rule)
    );
  });

  it('two replicas under leader election, scraped as two pods: one series per Challenge through a hand-over', async (t) => {
    connectTestEnv();
    const f = await Fixture.create('identity', {}, false);
    t.after(() => f.close());
    const lease = {
      leaderElect: true,
      leaderElectionId: `lock-${f.ns}`,
      leaderElectionNamespace: f.ns,
      leaseDurationMs: 3000,
    };
    const a = await f.startManager(lease, 'pod-a');
    await waitFor('a leads', async () => a.isLeader());
    const b = await f.startManager(lease, 'pod-b');
    t.after(async () => {
      await a.stop();
      await b.stop();
    });
    await f.createDefinition('web-basic');
    for (const user of ['ann', 'bob']) {
      await f.createChallenge(`c-${user}`, { user, definition: 'web-basic' });
    }
    await f.waitForState('c-ann', 'Pending');
    await f.waitForState('c-bob', 'Pending');

    const target = (url: string, pod: string) => ({ targets: [new URL(url).host], labels: { pod } });
    const targets = [target(a.metricsUrl!, 'pod-a'), target(b.metricsUrl!, 'pod-b')];
    const job = (name: string, relabel: boolean) => ({
      job_name: name,
      honor_labels: true,
      scrape_interval: '500ms',
      scrape_timeout: '400ms',
      static_configs: targets,
      ...(relabel ? { metric_relabel_configs: chartRelabelings().map(({ action: _a, ...r }) => r) } : {}),
    });
    const prom = await startPrometheus({
      config: prometheusConfig([job('challenge-operator', true), job('control', false)]),
    });
    t.after(() => prom.stop());

    const query = (q: string) => prom.query(q);
    // The relabelled job's Challenge series carry no job label (job=""); the control job's keep theirs.
    const seriesOf = (jobName: string) => query(`${STATUS_METRIC}{job="${jobName}",namespace="${f.ns}"}[5m]`);
    const podsExporting = async () =>
      (await query(`count by (pod) (${STATUS_METRIC}{job="control",namespace="${f.ns}"})`)).map((r) => r.metric.pod);

    // Both pods are scraped; only the leader (a) exports the Challenge series.
    await prom.waitForScrapes(4); // two pods in each of the two jobs
    await waitFor('series from the leader', async () => (await seriesOf('')).length === 2, 20_000);
    assert.deepEqual(await podsExporting(), ['pod-a']);

    // The operator's heartbeat (the chart's reporting rule), per pod: only a replica that leads. The standby b has
    // not reconciled (no counter of its own yet).
    const heartbeat = ruleExpr(RECORDING_RULES.operatorReporting).replace('group by (cluster)', 'group by (pod)');
    assert.notEqual(heartbeat, ruleExpr(RECORDING_RULES.operatorReporting));
    const heartbeatPods = async () =>
      (await query(heartbeat))
        .map((r) => r.metric.pod)
        .filter(Boolean)
        .sort();
    assert.deepEqual(await heartbeatPods(), ['pod-a']);

    // b takes the Lease while a lives on (a's renewals are refused, as in a long pause or a partition): a stops
    // leading (status 0) but keeps its reconcile counter. That counter must not say "the operator reports": were b
    // then SIGKILLed, it would make the counts an invented 0 until a leads again.
    const leases = connectTestEnv().kubeConfig.makeApiClient(CoordinationV1Api);
    const leaseName = { name: lease.leaderElectionId, namespace: f.ns };
    await waitFor('b holds the Lease', async () => {
      const held = await leases.readNamespacedLease(leaseName);
      if (held.spec?.holderIdentity === b.identity) {
        return true;
      }
      const now = new V1MicroTime();
      held.spec = { ...held.spec, holderIdentity: b.identity, acquireTime: now, renewTime: now };
      await leases.replaceNamespacedLease({ ...leaseName, body: held }).catch(() => undefined); // a renewed first
      return false;
    });
    await waitFor('a steps down, b leads', async () => !a.isLeader() && b.isLeader(), 10_000);
    // (Scraped as a standby by both jobs: each scrapes a at its own moment.)
    await waitFor('a scraped as a standby', async () => {
      const status = await query(`leader_election_master_status{pod="pod-a"} == 0`);
      const counter = await query(`controller_runtime_reconcile_total{job="challenge-operator",pod="pod-a"}`);
      return status.length === 2 && counter.length > 0;
    });
    await waitFor('b reconciled and was scraped', async () => (await heartbeatPods()).includes('pod-b'), 20_000);
    assert.deepEqual(await heartbeatPods(), ['pod-b']);
    // The pairing is by the replica's target labels: a's counter and status, ignoring their own labels, are one.
    const paired = `controller_runtime_reconcile_total{job="challenge-operator",pod="pod-a"} and ignoring (controller, result, name) leader_election_master_status`;
    assert.ok((await query(paired)).length > 0);

    // Hand-over: a stops, b leads and exports the same Challenges.
    await a.stop();
    await waitFor('b leads', async () => b.isLeader(), 10_000);
    await waitFor('series from the new leader', async () => (await podsExporting()).join() === 'pod-b', 20_000);

    // With the chart's relabelings: still one series per Challenge over the window, without per-pod labels.
    const stable = await seriesOf('');
    assert.deepEqual(stable.map((s) => s.metric.challenge_name).sort(), ['c-ann', 'c-bob']);
    for (const s of stable) {
      assert.ok(!('pod' in s.metric) && !('instance' in s.metric) && !('job' in s.metric), JSON.stringify(s.metric));
    }
    // Without them, each Challenge is two series in the window (one per pod): what the relabelings prevent.
    assert.equal((await seriesOf('control')).length, 4);
    // Prometheus' own target health series keep their per-pod labels.
    assert.equal(
      (await query(`up{job="challenge-operator"}`)).filter((r) => r.metric.pod && r.metric.instance).length,
      2
    );
  });
});
