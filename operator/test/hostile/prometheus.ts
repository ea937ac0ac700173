// Prometheus' own parsers for the exposition tests: `promtool check metrics`, and configs for a real Prometheus
// (@hexactf/testing/prometheus) scraping static targets every 500 ms.
import { runPromtoolOnEveryBuild } from '@hexactf/testing/prometheus-builds';
import type { ToolRun } from '@hexactf/testing/tools';

/**
 * `promtool check metrics` on the text, by the promtool of Prometheus 2.x and 3.x: the first non-zero exit status
 * (0 when both accept it) and everything each said.
 */
export function promtoolCheckMetrics(text: string): ToolRun {
  return runPromtoolOnEveryBuild(['check', 'metrics'], text);
}

/** prometheus.yml with these scrape_configs, every 500 ms by default. */
export function prometheusConfig(scrapeConfigs: Array<Record<string, unknown>>): string {
  return JSON.stringify({ global: { scrape_interval: '500ms' }, scrape_configs: scrapeConfigs });
}

/** prometheus.yml scraping each URL every 500 ms as the job named by its key. */
export function scrapeConfig(targets: Record<string, string>): string {
  return prometheusConfig(
    Object.entries(targets).map(([job, url]) => {
      const u = new URL(url);
      return {
        job_name: job,
        scrape_interval: '500ms',
        scrape_timeout: '400ms',
        metrics_path: u.pathname,
        static_configs: [{ targets: [u.host] }],
      };
    })
  );
}
