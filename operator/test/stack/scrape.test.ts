// The local stack's monitoring path without Docker: the real operator (in-process, against the test apiserver) is
// scraped by a real Prometheus using deploy/prometheus/prometheus.yml (only the target address and the intervals
// changed), which evaluates the chart's rules live.
import assert from 'node:assert/strict';
import { waitFor } from '@hexactf/testing/wait';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CustomObjectsApi } from '@kubernetes/client-node';
import { startPrometheus, type Prometheus } from '@hexactf/testing/prometheus';
import { parse, stringify } from 'yaml';
import type { Manager } from '../../src/manager.ts';
import { newOperator } from '../../src/operator.ts';
import { retryTooManyRequests } from '../../demo/api-calls.ts';
import { useTestEnv, type TestEnv } from '../support/test-env.ts';
import { createTestNamespace } from '../support/cluster-setup.ts';

const repo = resolve(import.meta.dirname, '../../..');

describe('Prometheus (deploy/prometheus/prometheus.yml) scraping the operator, with the chart rules', () => {
  let env: TestEnv;
  let manager: Manager;
  let prometheus: Prometheus | undefined;
  let url = '';
  let ns = '';

  before(async () => {
    env = await useTestEnv();
    await env.installCrds();
    ns = await createTestNamespace(env.kubeConfig, 'scrape');
    const custom = env.kubeConfig.makeApiClient(CustomObjectsApi);
    const target = { group: 'apps.hexactf.io', version: 'v1alpha1', namespace: ns };
    await retryTooManyRequests(() =>
      custom.createNamespacedCustomObject({
        ...target,
        plural: 'challengedefinitions',
        body: {
          apiVersion: 'apps.hexactf.io/v1alpha1',
          kind: 'ChallengeDefinition',
          metadata: { name: 'pwn-echo' },
          spec: {
            category: 'pwn',
            components: [
              {
                name: 'svc',
                deployment: { spec: { template: { spec: { containers: [{ name: 'nc', image: 'busybox:1.36' }] } } } },
              },
            ],
          },
        },
      })
    );
    manager = newOperator({
      kubeConfig: env.kubeConfig,
      defaultMetrics: false,
      flags: { namespace: ns, metricsBindAddress: '127.0.0.1:0', healthProbeBindAddress: '0', pendingTimeoutMs: 0 },
    }).manager;
    await manager.start();
    await retryTooManyRequests(() =>
      custom.createNamespacedCustomObject({
        ...target,
        plural: 'challenges',
        body: {
          apiVersion: 'apps.hexactf.io/v1alpha1',
          kind: 'Challenge',
          metadata: {
            name: 'pwn-1-bob',
            labels: { 'apps.hexactf.io/challengeId': 'pwn-1', 'apps.hexactf.io/user': 'bob' },
          },
          spec: { definition: 'pwn-echo' },
        },
      })
    );

    const config = parse(readFileSync(join(repo, 'deploy/prometheus/prometheus.yml'), 'utf8'));
    config.global.scrape_interval = '1s';
    config.global.evaluation_interval = '1s';
    config.rule_files = [join(repo, 'operator/chart/files/rules.yaml')];
    const job = config.scrape_configs.find((j: any) => j.job_name === 'challenge-operator');
    job.static_configs = [{ targets: [new URL(manager.metricsUrl!).host] }];
    prometheus = await startPrometheus({ config: stringify(config) });
    url = prometheus.url;
  });

  after(async () => {
    await prometheus?.stop();
    await manager?.stop();
    await env?.stop();
  });

  /** The query's result once it has one (errors while Prometheus starts count as not yet), else []. */
  async function query(expr: string): Promise<any[]> {
    const result = async () => {
      const body = (await (await fetch(`${url}/api/v1/query?query=${encodeURIComponent(expr)}`)).json()) as any;
      return body.status === 'success' && body.data.result.length > 0 && (body.data.result as any[]);
    };
    return waitFor(expr, result, 30_000, 200).catch(() => []);
  }

  it('scrapes challenge_resource_status with the Challenge labels and without the target labels', async () => {
    const [series] = await query(`challenge_resource_status{namespace="${ns}"}`);
    assert.ok(series, 'no challenge_resource_status scraped');
    assert.deepEqual(
      [
        series.metric.namespace,
        series.metric.challenge_id,
        series.metric.challenge_name,
        series.metric.username,
        series.value[1],
      ],
      [ns, 'pwn-1', 'pwn-1-bob', 'bob', '0']
    );
    assert.equal(series.metric.exported_namespace, undefined);
    // Dropped as the chart's ServiceMonitor drops them: one series per Challenge across restarts and job renames.
    assert.deepEqual([series.metric.job, series.metric.instance, series.metric.pod], [undefined, undefined, undefined]);
  });

  it('evaluates the recording rules over it', async () => {
    const [users] = await query(`hexactf:user_instances:count{namespace="${ns}"}`);
    assert.deepEqual([users?.metric.username, users?.value[1]], ['bob', '1']);
    const [category] = await query(`hexactf:category_instances:count{namespace="${ns}"}`);
    assert.deepEqual([category?.metric.category, category?.value[1]], ['pwn', '1']);
  });

  it('does not consider the operator absent', async () => {
    assert.equal((await query('up{job="challenge-operator"} == 1')).length, 1);
    const body = (await (
      await fetch(`${url}/api/v1/query?query=${encodeURIComponent('absent(up{job="challenge-operator"} == 1)')}`)
    ).json()) as any;
    assert.deepEqual(body.data.result, []);
  });
});
