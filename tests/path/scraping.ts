// How the path test's Prometheus servers scrape (cluster.ts): the chart's ServiceMonitor relabelings and rules, the
// scrape configuration of each kind of server, file service discovery, and when a server last scraped a target or
// evaluated the dashboard rules.
import { renameSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { LEGACY_CHALLENGE_ID_LABEL, STATUS_LABELS } from '@hexactf/contract';
import { type Prometheus } from '@hexactf/testing/prometheus';
import { findObject, renderChart } from '../../operator/test/chart/helm.ts';

export const JOB = 'challenge-operator';

/** The chart's rules (alerts and recording rules); the default Prometheus loads them like a kube-prometheus-stack would. */
const RULES_FILE = resolve(import.meta.dirname, '../../operator/chart/files/rules.yaml');
const DASHBOARD_GROUP = 'hexactf-challenge-dashboard';
export function chartMetricRelabelings(): string[] {
  const sm = findObject(renderChart({ set: ['serviceMonitor.enabled=true'] }), 'ServiceMonitor');
  const snake = (k: string) => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  return (sm.spec.endpoints[0].metricRelabelings as Array<Record<string, unknown>>).map((r) =>
    JSON.stringify(Object.fromEntries(Object.entries(r).map(([k, v]) => [snake(k), v])))
  );
}

/** The scrape configuration of a server of that kind; the edge plays rename the job (edges-script.ts). */
export function scrapeConfig(
  kind: 'default' | 'legacy' | 'original',
  targetsFile: string,
  chartRelabelings: string[],
  job = JOB
): string {
  const relabel = {
    // The ServiceMonitor's own relabelings: pod and instance dropped from the Challenge series.
    default: chartRelabelings.map((r) => `\n      - ${r}`).join(''),
    // The series look like the original operator's: challeng_id instead of challenge_id; target labels kept.
    legacy: `
      - source_labels: [${STATUS_LABELS.challengeId}]
        regex: (.+)
        target_label: ${LEGACY_CHALLENGE_ID_LABEL}
      - regex: ${STATUS_LABELS.challengeId}
        action: labeldrop`,
    original: '',
  }[kind];
  // The chart's recording rules are written for challenge_id: only the default job gets them.
  const rules = kind === 'default' ? `rule_files: ['${RULES_FILE}']\n` : '';
  return `global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
${rules}scrape_configs:
  - job_name: ${JSON.stringify(job)}
    honor_labels: true
    file_sd_configs:
      - files: ['${targetsFile}']
        refresh_interval: 1s${relabel ? `\n    metric_relabel_configs:${relabel}` : ''}
`;
}

/** Service discovery as a file: the operator's pod, as Prometheus Operator labels it (target `pod` label). */
export function writeTargets(file: string, address: string, pod: string): void {
  writePodTargets(file, [{ address, pod }]);
}

/** Service discovery as a file: every pod (operator replicas, edges-cluster.ts), each with its target `pod` label. */
export function writePodTargets(file: string, pods: Array<{ address: string; pod: string }>): void {
  writeFileSync(
    `${file}.tmp`,
    JSON.stringify(pods.map(({ address, pod }) => ({ targets: [address], labels: { pod } })))
  );
  // Renamed into place so Prometheus never reads half a file.
  renameSync(`${file}.tmp`, file);
}

interface Target {
  lastScrape: string;
  health: string;
  scrapeUrl: string;
}

export async function targets(prom: Prometheus): Promise<Target[]> {
  const body = (await (await fetch(`${prom.url}/api/v1/targets?state=active`)).json()) as {
    data: { activeTargets: Target[] };
  };
  return body.data.activeTargets;
}

/** The last successful scrape of address (ms), 0 when it is not an active target or down. */
export async function lastScrapeMs(prom: Prometheus, address?: string): Promise<number> {
  const t = (await targets(prom)).find((x) => address === undefined || x.scrapeUrl.includes(`//${address}/`));
  return t && t.health === 'up' ? Date.parse(t.lastScrape) : 0;
}

/** When the dashboard rule group last finished an evaluation (ms), 0 before the first. */
export async function lastRuleEvalMs(prom: Prometheus): Promise<number> {
  const body = (await (await fetch(`${prom.url}/api/v1/rules?type=record`)).json()) as {
    data: { groups: Array<{ name: string; lastEvaluation: string }> };
  };
  const group = body.data.groups.find((g) => g.name === DASHBOARD_GROUP);
  if (!group) {
    throw new Error(`rule group ${DASHBOARD_GROUP} not loaded from ${RULES_FILE}`);
  }
  return Date.parse(group.lastEvaluation) || 0;
}
