/**
 * Debian's Prometheus serving tests/fixtures/challenges.om.txt, backfilled by tests/fixtures/build-tsdb.sh (the
 * same TSDB the fixture test and the e2e compose file use).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Prometheus } from '@hexactf/testing/prometheus';
import { startBackfilledPrometheus } from './backfilledPrometheus.ts';

export function startFixturePrometheus(repo: string): Promise<Prometheus> {
  const fixtures = join(repo, 'tests/fixtures');
  return startBackfilledPrometheus(
    'hexactf-browser-tsdb-',
    readFileSync(join(fixtures, 'prometheus.yml'), 'utf8'),
    (dir) => {
      execFileSync('sh', [join(fixtures, 'build-tsdb.sh'), dir], { stdio: 'pipe' });
      return dir;
    }
  );
}
