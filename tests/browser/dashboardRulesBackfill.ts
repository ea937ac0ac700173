/**
 * The chart's dashboard recording rules (operator/chart/files/rules.yaml, group hexactf-challenge-dashboard) added to
 * a running Prometheus' history, as if it had evaluated them during the event: `promtool tsdb create-blocks-from
 * rules` against that Prometheus, the blocks moved into its data directory, then waited for until Prometheus has
 * loaded them (it reloads its blocks every minute). The benchmark measures the pages without the rules, then with
 * them: an operator at event scale runs them, and the app reads them when present.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parse, stringify } from 'yaml';
import { instantQuery } from '@hexactf/testing/prom-api';
import { promtoolPath } from '@hexactf/testing/tools';
import { REPO } from './buildHost.ts';

export const DASHBOARD_RULE_GROUP = 'hexactf-challenge-dashboard';
const CHART_RULES = join(REPO, 'operator/chart/files/rules.yaml');
/** A rule every page that reads rules needs (the app's detector asks for both; this one is written for every step). */
const PROBE = 'hexactf:challenge_state:count';
const LOAD_TIMEOUT_MS = 180_000;

export interface RuleHistory {
  prometheusUrl: string;
  /** The running Prometheus' TSDB directory. */
  dataDir: string;
  /** A scratch directory for the rules file and the new blocks (same filesystem as dataDir). */
  scratchDir: string;
  startS: number;
  endS: number;
  evalIntervalS: number;
}

/** Backfills the dashboard rules over [startS, endS] and waits until Prometheus answers them; seconds taken. */
export async function addDashboardRules(h: RuleHistory): Promise<number> {
  const t = performance.now();
  const groups = (parse(readFileSync(CHART_RULES, 'utf8')) as { groups: Array<{ name: string }> }).groups;
  const rulesFile = join(h.scratchDir, 'dashboard-rules.yaml');
  writeFileSync(rulesFile, stringify({ groups: groups.filter((g) => g.name === DASHBOARD_RULE_GROUP) }));
  const out = join(h.scratchDir, 'rule-blocks');
  mkdirSync(out, { recursive: true });
  execFileSync(
    promtoolPath(),
    [
      'tsdb',
      'create-blocks-from',
      'rules',
      `--start=${h.startS}`,
      `--end=${h.endS}`,
      `--url=${h.prometheusUrl}`,
      `--output-dir=${out}`,
      `--eval-interval=${h.evalIntervalS}s`,
      rulesFile,
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] }
  );
  // Whole block directories, renamed in: Prometheus never sees half a block.
  for (const block of readdirSync(out)) {
    renameSync(join(out, block), join(h.dataDir, block));
  }
  while (!(await answers(h.prometheusUrl, h.endS))) {
    if (performance.now() - t > LOAD_TIMEOUT_MS) {
      throw new Error(`Prometheus did not load the backfilled ${PROBE} within ${LOAD_TIMEOUT_MS / 1000} s`);
    }
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
  return (performance.now() - t) / 1000;
}

async function answers(url: string, atS: number): Promise<boolean> {
  const data = await instantQuery(url, `count(${PROBE})`, atS);
  return Array.isArray(data.result) && data.result.length > 0;
}
