// The Prometheus versions the path test is played on, in one place (cluster.ts starts servers of each, path.jest.ts
// runs its checks on each). Prometheus 3, which scripts/install-test-tools.sh builds, is one more line here once that
// script builds it on every machine.
import { toolPath } from '@hexactf/testing/tools';

export const BUILDS: ReadonlyArray<{ name: string; binary: string }> = [
  { name: '2.x (Debian)', binary: toolPath('prometheus') },
];
