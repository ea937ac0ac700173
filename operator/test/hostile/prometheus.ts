// Prometheus' own parsers for the exposition tests: `promtool check metrics`, and the config of a real Prometheus
// (@hexactf/testing/prometheus) scraping static targets every 500 ms.
import { runPromtool, type ToolRun } from '@hexactf/testing/tools';

/** `promtool check metrics` on the text: exit status and everything it said. */
export function promtoolCheckMetrics(text: string): ToolRun {
  return runPromtool(['check', 'metrics'], text);
}

/** prometheus.yml scraping each URL every 500 ms as the job named by its key. */
export function scrapeConfig(targets: Record<string, string>): string {
  const scrapeConfigs = Object.entries(targets).map(([job, url]) => {
    const u = new URL(url);
    return { job_name: job, scrape_interval: '500ms', scrape_timeout: '400ms', metrics_path: u.pathname, static_configs: [{ targets: [u.host] }] };
  });
  return JSON.stringify({ global: { scrape_interval: '500ms' }, scrape_configs: scrapeConfigs });
}
