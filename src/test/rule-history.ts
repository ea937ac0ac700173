/**
 * The chart's dashboard recording rules over a fixture's history, as TSDB blocks: a throwaway Prometheus 3 over the
 * text, `promtool tsdb create-blocks-from rules` against it (@hexactf/testing/dashboard-rules, as the browser bench
 * does), then the servers a test compares get those blocks before they start (fixturePrometheus' blocksDir), so none
 * waits for Prometheus' once-a-minute block reload. The rules see no external label (Prometheus' query API never
 * adds them), so one set of blocks is what every cluster's Prometheus over the same text would have recorded.
 */
import { resolve } from 'node:path';
import { dashboardRuleBlocks } from '@hexactf/testing/dashboard-rules';
import { removeTempDir, tempDir } from '@hexactf/testing/processes';

import { fixturePrometheus } from './fixture-servers';

export interface RuleBlocks {
  dir: string;
  remove(): void;
}

/** The dashboard rules evaluated every `evalIntervalS` over [startS, endS] of `text`'s history. */
export async function dashboardRuleHistory(
  text: string,
  startS: number,
  endS: number,
  evalIntervalS: number
): Promise<RuleBlocks> {
  const scratchDir = tempDir('hexactf-rule-blocks-');
  const source = await fixturePrometheus(text);
  try {
    const repo = resolve(__dirname, '../..');
    const dir = dashboardRuleBlocks({ prometheusUrl: source.url, repo, scratchDir, startS, endS, evalIntervalS });
    return { dir, remove: () => removeTempDir(scratchDir) };
  } catch (err) {
    removeTempDir(scratchDir);
    throw err;
  } finally {
    await source.close();
  }
}
