/**
 * @jest-environment node
 *
 * The recording-rule forms of the over-time and peak panels on VictoriaMetrics: the chart's dashboard rules
 * backfilled over the e2e fixture into a Prometheus 3 (rule-history.ts, as the Thanos comparison does), the recorded
 * samples read back raw from it and imported into VictoriaMetrics beside the fixture, then the rule forms asked of
 * both. VictoriaMetrics evaluates no Prometheus rule file itself (vmalert would): this proves that it answers the
 * app's rule forms over the same recorded series as Prometheus, not that it records them the same.
 */
import { readFileSync } from 'node:fs';
import { instantQuery, rangeQuery } from '@hexactf/testing/prom-api';
import { startVictoriaMetrics, type VictoriaMetrics } from '@hexactf/testing/victoriametrics';

import {
  FIXTURE_TEXT,
  FROM_S,
  STEP_S,
  TO_S,
  normalized,
  ruleInstantQueries,
  ruleRangeQueries,
} from './fixture-queries';
import { fixturePrometheus, type FixturePrometheus } from './fixture-servers';
import { dashboardRuleHistory, type RuleBlocks } from './rule-history';

jest.setTimeout(120_000);

let rules: RuleBlocks | undefined;
let prometheus: FixturePrometheus | undefined;
let vm: VictoriaMetrics | undefined;
let recorded = 0;

/** Every recorded sample of the history, as `name{labels} value seconds` lines (matrix selector: raw samples). */
async function recordedSamples(url: string): Promise<string[]> {
  const data = await instantQuery(url, `{__name__=~"hexactf:.+"}[${TO_S - FROM_S + 1}s]`, TO_S);
  return (data.result as Array<{ metric: Record<string, string>; values: Array<[number, string]> }>).flatMap((r) => {
    const { __name__: name, ...labels } = r.metric;
    const ls = Object.entries(labels).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
    return r.values.map(([t, v]) => `${name}{${ls.join(',')}} ${v} ${t}`);
  });
}

beforeAll(async () => {
  const text = readFileSync(FIXTURE_TEXT, 'utf8');
  rules = await dashboardRuleHistory(text, FROM_S, TO_S, STEP_S);
  prometheus = await fixturePrometheus(text, {}, rules.dir);
  const lines = await recordedSamples(prometheus.url);
  recorded = lines.length;
  // Held for Prometheus' 5 m lookback by both, as in victoriametrics.test.ts (backfilled: no staleness markers).
  vm = await startVictoriaMetrics({ staleAfter: '5m' });
  await vm.importOpenMetrics(text);
  await vm.importOpenMetrics(`${lines.join('\n')}\n`);
});

afterAll(async () => {
  await vm?.stop();
  await prometheus?.close();
  rules?.remove();
});

describe("VictoriaMetrics answers the rule forms like Prometheus over the chart's recorded series", () => {
  it('holds every recorded sample', async () => {
    expect(recorded).toBeGreaterThan(0);
    expect((await recordedSamples(vm!.url)).length).toBe(recorded);
  });

  it.each(Object.entries(ruleInstantQueries()))('%s', async (_name, expr) => {
    expect(expr).toContain('hexactf:'); // the rule form, not the raw one
    const want = normalized(await instantQuery(prometheus!.url, expr, TO_S));
    expect(want.length).toBeGreaterThan(0);
    expect(normalized(await instantQuery(vm!.url, expr, TO_S))).toEqual(want);
  });

  it.each(Object.entries(ruleRangeQueries()))('%s', async (_name, expr) => {
    expect(expr).toContain('hexactf:');
    const want = normalized(await rangeQuery(prometheus!.url, expr, FROM_S, TO_S, STEP_S));
    expect(want.length).toBeGreaterThan(0);
    expect(normalized(await rangeQuery(vm!.url, expr, FROM_S, TO_S, STEP_S))).toEqual(want);
  });
});
