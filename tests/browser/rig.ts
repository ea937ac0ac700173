/**
 * Everything the browser test runs against, started once: the built plugin, the host bundle, Prometheus with the
 * fixture, the host server at Grafana's root and a second one under a sub-path (/grafana), and Chromium. stop()
 * stops whatever did start, also after a failed start.
 */
import { join } from 'node:path';
import { buildHost, REPO } from './buildHost.ts';
import { launchChromium, type HostBrowser } from './chromium.ts';
import { ensurePluginBuilt } from './pluginBuild.ts';
import { pluginSettings } from './pluginMeta.ts';
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

export async function startRig(): Promise<Rig> {
  const stops: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const s of stops.reverse()) {
      await s().catch((e: unknown) => console.error('stopping:', e));
    }
  };
  try {
    const dist = ensurePluginBuilt(REPO);
    await buildHost(BUILD_DIR);
    const prometheus = await startFixturePrometheus(REPO);
    stops.push(prometheus.stop);
    const serve = (appSubUrl: string) =>
      startHostServer({
        appSubUrl,
        buildDir: BUILD_DIR,
        pluginDir: dist,
        iconsDir: join(REPO, 'node_modules/@grafana/ui/dist/public/img/icons'),
        fontsDir: '/usr/share/fonts/opentype/inter',
        prometheusUrl: prometheus.url,
        pluginMeta: pluginSettings(REPO, dist),
        datasourceUid: 'hexactf-prometheus',
      });
    const root = await serve('');
    stops.push(root.close);
    const subPath = await serve(SUB_PATH);
    stops.push(subPath.close);
    const browser = await launchChromium();
    stops.push(browser.close);
    return { root, subPath, browser, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
