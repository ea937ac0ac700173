import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pluginJson from './plugin.json';
import { ROUTES } from './constants';

// What the plugin catalog shows and what the plugin validator checks in the packaged plugin, checked on the sources.
const root = join(__dirname, '..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');

describe('plugin.json for the catalog', () => {
  it('has logos that exist in src/', () => {
    const { logos } = pluginJson.info;
    for (const path of [logos.small, logos.large]) {
      expect(existsSync(join(__dirname, path))).toBe(true);
    }
  });

  it("lists a screenshot of each of the app's pages, PNGs under img/screenshots/ (npm run screenshots makes them)", () => {
    const screenshots: Array<{ name: string; path: string }> = pluginJson.info.screenshots;
    expect(screenshots.map((s) => s.name)).toEqual(['Overview', 'Users x Challenges', 'Usage', 'Triage', 'Lifecycle']);
    for (const { path } of screenshots) {
      expect(path).toMatch(/^img\/screenshots\/[a-z-]+\.png$/);
      expect(existsSync(join(__dirname, path))).toBe(true);
    }
  });

  it('draws the logo with plain shapes only (no script, style, link or embedded image)', () => {
    const svg = readFileSync(join(__dirname, pluginJson.info.logos.small), 'utf8');
    const elements = [...svg.matchAll(/<([a-zA-Z][\w:-]*)/g)].map((m) => m[1]);
    expect(new Set(elements)).toEqual(new Set(['svg', 'polygon', 'rect', 'path', 'circle']));
    expect(svg).not.toMatch(/href|on[a-z]+=|url\(/i);
  });

  it('links to the documentation and the issue tracker over https', () => {
    const links: Array<{ name: string; url: string }> = pluginJson.info.links;
    expect(links.map((l) => l.name)).toEqual(expect.arrayContaining(['Documentation', 'Report an issue']));
    for (const { url } of links) {
      expect(new URL(url).protocol).toBe('https:');
    }
  });

  it('has keywords, a description and the minimum Grafana the app supports', () => {
    expect(pluginJson.info.keywords.length).toBeGreaterThan(3);
    expect(pluginJson.info.description.length).toBeGreaterThan(40);
    expect(pluginJson.dependencies.grafanaDependency).toBe('>=12.4.0');
  });

  it('puts every page in the navigation, and the configuration page for admins only', () => {
    const pages = pluginJson.includes.filter((i: { type: string }) => i.type === 'page');
    expect(pages.filter((p) => p.path.startsWith('/a/')).map((p) => p.path)).toEqual(
      Object.values(ROUTES).map((route) => `/a/%PLUGIN_ID%/${route}`)
    );
    expect(pages.every((p) => p.addToNav)).toBe(true);
    const config = pages.find((p) => p.path === '/plugins/%PLUGIN_ID%');
    expect(config).toMatchObject({ name: 'Configuration', role: 'Admin', addToNav: true });
  });
});

describe('files the plugin archive carries', () => {
  it('a license with its copyright holder filled in', () => {
    const license = read('LICENSE');
    expect(license).toContain('Apache License');
    expect(license).toMatch(/Copyright \d{4} HexaCTF contributors/);
    expect(license).not.toContain('{yyyy}');
  });

  it("a changelog whose first entry is package.json's version", () => {
    const version = JSON.parse(read('package.json')).version;
    expect(read('CHANGELOG.md').match(/^## (\S+)/m)?.[1]).toBe(version);
  });

  it("a catalog README (src/README.md) with installation, configuration and the metric contract, not create-plugin's template", () => {
    const readme = read('src/README.md');
    for (const heading of ['## Installation', '## Configuration', '## The metric contract']) {
      expect(readme).toContain(heading);
    }
    expect(readme).toContain('challenge_resource_status');
    expect(readme).not.toMatch(/create-plugin|yarn|nodejs/i);
  });
});
