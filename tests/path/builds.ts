// The Prometheus versions the path test is played on (cluster.ts starts servers of each, path.jest.ts runs its
// checks on each): Debian's 2.x and Prometheus 3, which scripts/install-test-tools.sh builds
// (@hexactf/testing/prometheus-builds).
import { PROMETHEUS_BUILDS } from '@hexactf/testing/prometheus-builds';

export const BUILDS: ReadonlyArray<{ name: string; binary: string; major: number }> = PROMETHEUS_BUILDS.map((b) => ({
  name: b.name,
  binary: b.prometheus,
  major: b.major,
}));
