/**
 * Everything the browser test runs against, started once: the built plugin, the host bundle, Prometheus with the
 * fixture, the host server at Grafana's root and a second one under a sub-path (/grafana), and Chromium. stop()
 * stops whatever did start, also after a failed start. The benchmark and the catalog screenshots start the same rig
 * on a Prometheus of their own (RigOptions).
 */
import { join } from 'node:path';
import { buildHost, REPO } from './buildHost.ts';
import { launchChromium, type HostBrowser } from './chromium.ts';
import { ensurePluginBuilt } from './pluginBuild.ts';
import { pluginSettings } from './pluginMeta.ts';
import type { Prometheus } from '@hexactf/testing/prometheus';
import { binDir } from '@hexactf/testing/tools';
import { startFixturePrometheus } from './prometheusFixture.ts';
import { startHostServer, type HostServer } from './server.ts';

export const BUILD_DIR = join(REPO, 'tests/browser/.build');
export const SUB_PATH = '/grafana';

export interface Rig {
  root: HostServer;
  subPath: HostServer;
  browser: HostBrowser;
  stop(): Promise<void>;
}

export interface RigOptions {
  /** Starts the Prometheus the host's datasource proxies to; default the e2e fixture's. */
  prometheus?: () => Promise<Prometheus>;
  /** Also serve the host under SUB_PATH (the test's Explore link check); default true. */
  subPath?: boolean;
  /** Before the host bundle is built (the benchmark adds its own bundle to BUILD_DIR). */
  beforeServe?: () => Promise<void>;
}

export async function startRig(options: RigOptions = {}): Promise<Rig & { prometheus: Prometheus }> {
  const stops: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const s of stops.reverse()) {
      await s().catch((e: unknown) => console.error('stopping:', e));
    }
  };
  try {
    const dist = ensurePluginBuilt(REPO);
    await buildHost(BUILD_DIR);
    await options.beforeServe?.();
    const prometheus = await (options.prometheus ?? (() => startFixturePrometheus(REPO)))();
    stops.push(prometheus.stop);
    const serve = (appSubUrl: string) =>
      startHostServer({
        appSubUrl,
        buildDir: BUILD_DIR,
        pluginDir: dist,
        iconsDir: join(REPO, 'node_modules/@grafana/ui/dist/public/img/icons'),
        uniconsDir: join(binDir(), 'unicons'),
        fontsDir: '/usr/share/fonts/opentype/inter',
        monospaceFont: '/usr/share/fonts/truetype/liberation/LiberationMono-Regular.ttf',
        prometheusUrl: prometheus.url,
        pluginMeta: pluginSettings(REPO, dist),
        datasourceUid: 'hexactf-prometheus',
      });
    const root = await serve('');
    stops.push(root.close);
    const subPath = options.subPath === false ? root : await serve(SUB_PATH);
    if (subPath !== root) {
      stops.push(subPath.close);
    }
    const browser = await launchChromium();
    stops.push(browser.close);
    return { root, subPath, browser, prometheus, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
