/**
 * The app's queries on VictoriaMetrics (single-node, built by scripts/install-test-tools.sh): the e2e fixture
 * imported into it and backfilled into Prometheus 3, every query the pages build for that history (instant
 * at the fixture's end, and the range panels over its range) asked of both. None may be refused, and each answer
 * must equal Prometheus', except where docs/compatibility.md names the engine's different semantics.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { instantQuery, rangeQuery } from '@hexactf/testing/prom-api';
import { removeTempDir, tempDir } from '@hexactf/testing/processes';
import { startPrometheus, type Prometheus } from '@hexactf/testing/prometheus';
import { PROMETHEUS_BUILDS } from '@hexactf/testing/prometheus-builds';
import { startVictoriaMetrics, type VictoriaMetrics } from '@hexactf/testing/victoriametrics';

import { FIXTURES, FIXTURE_TEXT, FROM_S, STEP_S, TO_S, instantQueries, normalized, rangeQueries } from './fixture-queries';

jest.setTimeout(120_000);

let workDir: string;
let prometheus: Prometheus | undefined;
let vm: VictoriaMetrics | undefined;

beforeAll(async () => {
  workDir = tempDir('hexactf-vm-fixture-');
  const tsdb = join(workDir, 'tsdb');
  execFileSync('sh', [join(FIXTURES, 'build-tsdb.sh'), tsdb], { stdio: 'pipe' });
  // Prometheus 3: like VictoriaMetrics, its lookback leaves out a sample exactly 5 m old (2.x takes it in, so
  // at the step where an ended series reaches that age 2.x still counts it).
  prometheus = await startPrometheus({
    binary: PROMETHEUS_BUILDS.find((b) => b.major === 3)!.prometheus,
    config: 'global:\n  scrape_interval: 60s\nscrape_configs: []\n',
    dataDir: tsdb,
    retention: '100y',
    startTimeoutMs: 30_000,
  });
  // The fixture is backfilled: no staleness markers. Series that end are held for Prometheus' 5 m lookback by both
  // (a scraping Prometheus would end them at the next scrape, VictoriaMetrics after about two scrape intervals).
  vm = await startVictoriaMetrics({ staleAfter: '5m' });
  await vm.importOpenMetrics(readFileSync(FIXTURE_TEXT, 'utf8'));
});

afterAll(async () => {
  await vm?.stop();
  await prometheus?.stop();
  if (workDir) {
    removeTempDir(workDir);
  }
});

describe('VictoriaMetrics answers the app like Prometheus', () => {
  it.each(Object.entries(instantQueries()))('instant: %s', async (_name, expr) => {
    const want = normalized(await instantQuery(prometheus!.url, expr, TO_S));
    expect(normalized(await instantQuery(vm!.url, expr, TO_S))).toEqual(want);
  });

  it.each(Object.entries(rangeQueries()))('range: %s', async (_name, expr) => {
    const want = normalized(await rangeQuery(prometheus!.url, expr, FROM_S, TO_S, STEP_S));
    expect(normalized(await rangeQuery(vm!.url, expr, FROM_S, TO_S, STEP_S))).toEqual(want);
  });
});
