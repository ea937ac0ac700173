/**
 * Debian's Prometheus serving tests/fixtures/challenges.om.txt, backfilled by tests/fixtures/build-tsdb.sh (the
 * same TSDB the fixture test and the e2e compose file use).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { removeTempDir, tempDir } from '@hexactf/testing/processes';
import { startPrometheus, type Prometheus } from '@hexactf/testing/prometheus';

export async function startFixturePrometheus(repo: string): Promise<Prometheus> {
  const fixtures = join(repo, 'tests/fixtures');
  const dir = tempDir('hexactf-browser-tsdb-');
  try {
    execFileSync('sh', [join(fixtures, 'build-tsdb.sh'), dir], { stdio: 'pipe' });
    // The fixture lies at a fixed time in the past: a retention long enough to keep it.
    const prometheus = await startPrometheus({
      config: readFileSync(join(fixtures, 'prometheus.yml'), 'utf8'),
      dataDir: dir,
      retention: '100y',
    });
    return {
      ...prometheus,
      stop: async () => {
        await prometheus.stop();
        removeTempDir(dir);
      },
    };
  } catch (error) {
    removeTempDir(dir);
    throw error;
  }
}
