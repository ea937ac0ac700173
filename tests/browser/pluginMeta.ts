/**
 * What Grafana's `GET /api/plugins/<id>/settings` answers for the app: the built plugin.json's identity and
 * includes, enabled, and the jsonData provisioning/plugins/app.yaml gives it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

export function pluginSettings(repo: string, pluginDir: string): Record<string, unknown> {
  const pluginJson = JSON.parse(readFileSync(join(pluginDir, 'plugin.json'), 'utf8')) as Record<string, unknown>;
  const provisioning = parse(readFileSync(join(repo, 'provisioning/plugins/app.yaml'), 'utf8')) as {
    apps: Array<{ type: string; jsonData: Record<string, unknown> }>;
  };
  const app = provisioning.apps.find((a) => a.type === pluginJson.id);
  if (!app) {
    throw new Error(`provisioning/plugins/app.yaml does not provision ${String(pluginJson.id)}`);
  }
  return {
    id: pluginJson.id,
    name: pluginJson.name,
    type: 'app',
    info: pluginJson.info,
    includes: pluginJson.includes,
    dependencies: pluginJson.dependencies,
    module: `public/plugins/${String(pluginJson.id)}/module.js`,
    baseUrl: `public/plugins/${String(pluginJson.id)}`,
    enabled: true,
    pinned: true,
    hasUpdate: false,
    defaultNavUrl: `/a/${String(pluginJson.id)}/overview`,
    jsonData: app.jsonData,
    secureJsonFields: {},
  };
}
