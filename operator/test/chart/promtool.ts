// Runs the chart's rules over samples taken from a real operator's /metrics, with `promtool test rules`.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { PROMETHEUS_BUILDS } from '../support/prometheus-builds.ts';
import { chartDir } from './helm.ts';

export interface ExpectedSample {
  labels: string;
  value: number;
}

/** The sample lines of the named metrics in a Prometheus text exposition, as `series value` pairs. */
export function samples(exposition: string, names: string[]): { series: string; value: string }[] {
  return exposition.split('\n')
    .filter((l) => names.some((n) => l.startsWith(n + '{') || l.startsWith(n + ' ')))
    .map((l) => {
      const i = l.lastIndexOf(' ');
      return { series: l.slice(0, i), value: l.slice(i + 1) };
    });
}

/**
 * Feeds the samples as constant series for 10 minutes and checks each recording rule's output at 5m, with the
 * promtool of every Prometheus version. Returns the exit status (the first non-zero one) and every output.
 */
export function testRulesOver(input: { series: string; value: string }[], expected: Record<string, ExpectedSample[]>): { status: number | null; output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'hexactf-rules-live-'));
  try {
    const file = join(dir, 'test.yaml');
    writeFileSync(file, stringify({
      rule_files: [join(chartDir, 'files/rules.yaml')],
      evaluation_interval: '1m',
      tests: [{
        interval: '1m',
        input_series: input.map((s) => ({ series: s.series, values: `${s.value}x10` })),
        promql_expr_test: Object.entries(expected).map(([expr, exp]) => ({ expr, eval_time: '5m', exp_samples: exp })),
      }],
    }));
    // Each Prometheus version must pass: the status is the first failure's, the output names each version.
    let status: number | null = 0;
    let output = '';
    for (const build of PROMETHEUS_BUILDS) {
      const r = spawnSync(build.promtool, ['test', 'rules', file], { encoding: 'utf8' });
      if (r.error) throw r.error;
      if (status === 0) status = r.status;
      output += `--- promtool of Prometheus ${build.name}\n${r.stdout}${r.stderr}`;
    }
    return { status, output };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
