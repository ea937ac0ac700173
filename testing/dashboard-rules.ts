/**
 * The chart's dashboard recording rules (operator/chart/files/rules.yaml, group hexactf-challenge-dashboard) evaluated
 * over a Prometheus' history, as if it had evaluated them during the event: `promtool tsdb create-blocks-from rules`
 * against that Prometheus. `dashboardRuleBlocks` writes the blocks (a test copies them into the TSDBs of servers it
 * starts next, src/test/rule-history.ts); `addDashboardRules` moves them into the running Prometheus' data directory
 * and waits until it has loaded them (it reloads its blocks every minute): the browser bench measures the pages
 * without the rules, then with them (tests/browser/bench/pages.bench.ts).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parse, stringify } from 'yaml';
import { instantQuery } from '@hexactf/testing/prom-api';
import { promtoolPath } from '@hexactf/testing/tools';

export const DASHBOARD_RULE_GROUP = 'hexactf-challenge-dashboard';
/** The chart's rules file, from the repository root. */
export const CHART_RULES = 'operator/chart/files/rules.yaml';
/** A rule every page that reads rules needs (the app's detector asks for both; this one is written for every step). */
const PROBE = 'hexactf:challenge_state:count';
const LOAD_TIMEOUT_MS = 180_000;

export interface RuleHistory {
  prometheusUrl: string;
  /** The repository's root (the chart's rules file is read from it). */
  repo: string;
  /** A scratch directory for the rules file and the new blocks. */
  scratchDir: string;
  startS: number;
  endS: number;
  evalIntervalS: number;
}

/** Evaluates the dashboard rules over [startS, endS] into TSDB blocks; the directory holding them. */
export function dashboardRuleBlocks(h: RuleHistory): string {
  const groups = (parse(readFileSync(join(h.repo, CHART_RULES), 'utf8')) as { groups: Array<{ name: string }> }).groups;
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
  return out;
}

/**
 * Backfills the dashboard rules over [startS, endS] into the running Prometheus' `dataDir` (scratchDir on the same
 * filesystem) and waits until Prometheus answers them; seconds taken.
 */
export async function addDashboardRules(h: RuleHistory & { dataDir: string }): Promise<number> {
  const t = performance.now();
  const out = dashboardRuleBlocks(h);
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
