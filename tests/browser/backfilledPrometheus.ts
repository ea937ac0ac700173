/**
 * Debian's Prometheus on a TSDB that `fill(dir)` backfills into a temporary directory: the history lies at a fixed
 * time in the past, hence a retention long enough to keep it. The directory goes with stop(), or at once when the
 * backfill or the start fails.
 */
import { removeTempDir, tempDir } from '@hexactf/testing/processes';
import { startPrometheus, type Prometheus } from '@hexactf/testing/prometheus';

export async function startBackfilledPrometheus(
  prefix: string,
  config: string,
  fill: (dir: string) => string
): Promise<Prometheus> {
  const dir = tempDir(prefix);
  try {
    const prometheus = await startPrometheus({ config, dataDir: fill(dir), retention: '100y' });
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
