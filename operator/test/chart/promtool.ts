// Runs the chart's rules over samples taken from a real operator's /metrics, with `promtool test rules`.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runPromtoolOnEveryBuild } from '@hexactf/testing/prometheus-builds';
import type { ToolRun } from '@hexactf/testing/tools';
import { stringify } from 'yaml';
import { chartDir } from './helm.ts';

interface ExpectedSample {
  labels: string;
  value: number;
}

/** The sample lines of the named metrics in a Prometheus text exposition, as `series value` pairs. */
export function samples(exposition: string, names: string[]): Array<{ series: string; value: string }> {
  return exposition
    .split('\n')
    .filter((l) => names.some((n) => l.startsWith(n + '{') || l.startsWith(n + ' ')))
    .map((l) => {
      const i = l.lastIndexOf(' ');
      return { series: l.slice(0, i), value: l.slice(i + 1) };
    });
}

/**
 * Feeds the samples as constant series for 10 minutes and checks each recording rule's output at 5m, with the
 * promtool of every Prometheus version. Returns the first non-zero exit status (0 when all pass) and every output.
 */
export function testRulesOver(
  input: Array<{ series: string; value: string }>,
  expected: Record<string, ExpectedSample[]>
): ToolRun {
  const dir = mkdtempSync(join(tmpdir(), 'hexactf-rules-live-'));
  try {
    const file = join(dir, 'test.yaml');
    writeFileSync(
      file,
      stringify({
        rule_files: [join(chartDir, 'files/rules.yaml')],
        evaluation_interval: '1m',
        tests: [
          {
            interval: '1m',
            input_series: input.map((s) => ({ series: s.series, values: `${s.value}x10` })),
            promql_expr_test: Object.entries(expected).map(([expr, exp]) => ({
              expr,
              eval_time: '5m',
              exp_samples: exp,
            })),
          },
        ],
      })
    );
    return runPromtoolOnEveryBuild(['test', 'rules', file]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
