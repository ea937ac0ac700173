/**
 * A small event written for the four states of knowledge (docs/dashboard-semantics.md, "What the pages know"), on
 * 2026-01-10 (UTC), backfilled into Debian's Prometheus:
 * - 01:00-03:00 the operator reports (the state gauge, challenge_info and its controller's reconcile counter):
 *   alice Running, bob Error, carol Pending, dave Running until 02:30, then Deleted and gone;
 * - 03:00-06:00 nothing (the operator was stopped);
 * - 06:00-08:00 the operator reports again with no Challenge at all (the counter only): an empty cluster.
 * KNOWLEDGE_RANGES names a page range for each state.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Prometheus } from '@hexactf/testing/prometheus';
import { promtoolPath } from '@hexactf/testing/tools';
import { startBackfilledPrometheus } from './backfilledPrometheus.ts';

const DAY_S = Date.parse('2026-01-10T00:00:00Z') / 1000;
const H = 3600;
const STEP_S = 60;
const REPORTING = { from: DAY_S + 1 * H, to: DAY_S + 3 * H };
const EMPTY = { from: DAY_S + 6 * H, to: DAY_S + 8 * H };

/** The page's range (epoch ms, as Grafana's URL carries it) for each state of knowledge. */
export const KNOWLEDGE_RANGES = {
  live: { from: REPORTING.from * 1000, to: REPORTING.to * 1000 },
  lastKnown: { from: REPORTING.from * 1000, to: (REPORTING.to + 2 * H) * 1000 },
  noData: { from: (DAY_S - 4 * H) * 1000, to: (DAY_S - 2 * H) * 1000 },
  empty: { from: EMPTY.from * 1000, to: EMPTY.to * 1000 },
} as const;
export type KnowledgeState = keyof typeof KNOWLEDGE_RANGES;

/** The last report while reporting (the last scrape before the stop), Unix seconds. */
export const LAST_REPORT_S = REPORTING.to;

/** What the window shows at the end of the reporting period. */
export const REPORTED_COUNTS = { Pending: 1, Running: 1, Error: 1 };

interface Instance {
  user: string;
  challengeId: string;
  definition: string;
  category: string;
  /** The state code at a time, or undefined when the series has no sample then. */
  state: (t: number) => number | undefined;
}

const INSTANCES: Instance[] = [
  {
    user: 'alice',
    challengeId: '101',
    definition: 'web-login',
    category: 'web',
    state: (t) => (t < REPORTING.from + 120 ? 0 : 1),
  },
  { user: 'bob', challengeId: '102', definition: 'pwn-echo', category: 'pwn', state: () => 3 },
  { user: 'carol', challengeId: '101', definition: 'web-login', category: 'web', state: () => 0 },
  {
    user: 'dave',
    challengeId: '103',
    definition: 'crypto-rsa',
    category: 'crypto',
    state: (t) => (t < DAY_S + 2.5 * H ? 1 : t < DAY_S + 2.5 * H + STEP_S ? 2 : undefined),
  },
];

function* steps(from: number, to: number) {
  for (let t = from; t <= to; t += STEP_S) {
    yield t;
  }
}

function openMetrics(): string {
  const out: string[] = [];
  const labels = (i: Instance, extra = '') =>
    `{namespace="hexactf",username="${i.user}",challenge_id="${i.challengeId}",challenge_name="${i.definition}-${i.user}"${extra}}`;
  out.push('# TYPE challenge_resource_status gauge');
  for (const i of INSTANCES) {
    for (const t of steps(REPORTING.from, REPORTING.to)) {
      const v = i.state(t);
      if (v !== undefined) {
        out.push(`challenge_resource_status${labels(i)} ${v} ${t}`);
      }
    }
  }
  out.push('# TYPE challenge_info gauge');
  for (const i of INSTANCES) {
    const extra = `,definition="${i.definition}",category="${i.category}"`;
    for (const t of steps(REPORTING.from, REPORTING.to)) {
      const v = i.state(t);
      if (v !== undefined && v !== 2) {
        out.push(`challenge_info${labels(i, extra)} 1 ${t}`);
      }
    }
  }
  // The controller's counter is the heartbeat that also exists with no Challenge at all.
  out.push('# TYPE controller_runtime_reconcile_total gauge');
  let reconciles = 0;
  for (const period of [REPORTING, EMPTY]) {
    for (const t of steps(period.from, period.to)) {
      reconciles += 3;
      out.push(`controller_runtime_reconcile_total{controller="challenge",result="success"} ${reconciles} ${t}`);
    }
  }
  out.push('# EOF');
  return `${out.join('\n')}\n`;
}

export function startKnowledgePrometheus(): Promise<Prometheus> {
  return startBackfilledPrometheus(
    'hexactf-knowledge-tsdb-',
    'global:\n  evaluation_interval: 1m\nscrape_configs: []\n',
    (dir) => {
      const file = join(dir, 'knowledge.om');
      writeFileSync(file, openMetrics());
      const data = join(dir, 'data');
      execFileSync(promtoolPath(), ['tsdb', 'create-blocks-from', 'openmetrics', '-q', file, data], { stdio: 'pipe' });
      return data;
    }
  );
}
