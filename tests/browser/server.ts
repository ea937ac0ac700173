/**
 * The HTTP side of Grafana the host page needs, on 127.0.0.1 (random free port), under an optional sub-path
 * (Grafana's root_url with serve_from_sub_path): the page itself for any app URL, the host bundle, @grafana/ui's
 * icons, the built plugin at Grafana's plugin path, the plugin settings API and the datasource proxy to Prometheus.
 * Every request is recorded so the test can say which failed.
 */
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, dirname, extname, join, normalize } from 'node:path';

export interface HostServerOptions {
  appSubUrl: string;
  buildDir: string;
  pluginDir: string;
  /** @grafana/ui's published icons (Grafana serves them under public/build/img/icons). */
  iconsDir: string;
  /**
   * Unicons' line icons (scripts/install-test-tools.sh): the set Grafana's server ships its `unicons/` icons from, for
   * the few @grafana/ui does not publish (the time picker's backward arrow, the spinner).
   */
  uniconsDir: string;
  /** Debian's fonts-inter (Grafana serves Inter as woff2 under public/fonts/inter; same typeface, OTF). */
  fontsDir: string;
  /** A monospace TTF for Grafana's Roboto Mono (public/fonts/roboto; @grafana/ui does not publish it). */
  monospaceFont: string;
  prometheusUrl: string;
  pluginMeta: Record<string, unknown>;
  datasourceUid: string;
}

export interface HostServer {
  url: string;
  /** Requests that did not answer 2xx/3xx. */
  failures: string[];
  /**
   * Icons the page asked for that neither @grafana/ui nor Unicons has (only Grafana's server has them): answered with
   * an empty SVG so a missing asset of Grafana's own is not counted as the app's failure, and listed here.
   */
  iconsNotPublished: string[];
  /** jsonData the configuration page saved, if any. */
  savedJsonData?: unknown;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.html': 'text/html',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.map': 'application/json',
  '.woff2': 'font/woff2',
  '.otf': 'font/otf',
  '.ttf': 'font/ttf',
  '.md': 'text/markdown',
};

const EMPTY_SVG = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"></svg>';

function sendFile(res: ServerResponse, root: string, relative: string) {
  const path = normalize(join(root, decodeURIComponent(relative)));
  if (!path.startsWith(root) || !existsSync(path) || !statSync(path).isFile()) {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { 'Content-Type': TYPES[extname(path)] ?? 'application/octet-stream' });
  createReadStream(path).pipe(res);
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export async function startHostServer(o: HostServerOptions): Promise<HostServer> {
  const failures: string[] = [];
  const iconsNotPublished: string[] = [];
  const state: { savedJsonData?: unknown } = {};
  const page = readFileSync(join(o.buildDir, 'index.html'), 'utf8')
    .replaceAll('__APP_SUB_URL__', o.appSubUrl)
    .replace(
      '<!--HOST_OPTIONS-->',
      `<script>window.__hostOptions = ${JSON.stringify({ appSubUrl: o.appSubUrl })};</script>`
    );
  const pluginPath = `/public/plugins/${String(o.pluginMeta.id)}/`;
  const proxyPath = `/api/datasources/proxy/uid/${o.datasourceUid}/`;

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://host');
    if (!url.pathname.startsWith(`${o.appSubUrl}/`)) {
      res.writeHead(404).end();
      return;
    }
    const path = url.pathname.slice(o.appSubUrl.length);
    if (path.startsWith('/public/build/img/icons/')) {
      const icon = path.slice('/public/build/img/icons/'.length);
      const unicon = icon.startsWith('unicons/') ? icon.slice('unicons/'.length) : undefined;
      const published = existsSync(join(o.iconsDir, icon));
      if (!published && unicon && existsSync(join(o.uniconsDir, unicon))) {
        return sendFile(res, o.uniconsDir, unicon);
      }
      if (!published) {
        iconsNotPublished.push(icon);
        res.writeHead(200, { 'Content-Type': 'image/svg+xml' }).end(EMPTY_SVG);
        return;
      }
      return sendFile(res, o.iconsDir, icon);
    }
    const font = /^\/public\/fonts\/inter\/(Inter-[A-Za-z]+)\.woff2$/.exec(path);
    if (font) {
      return sendFile(res, o.fontsDir, `${font[1]}.otf`);
    }
    if (/^\/public\/fonts\/roboto\/[\w-]+\.woff2$/.test(path)) {
      return sendFile(res, dirname(o.monospaceFont), basename(o.monospaceFont));
    }
    if (path.startsWith('/public/build/')) {
      return sendFile(res, o.buildDir, path.slice('/public/build/'.length));
    }
    if (path.startsWith(pluginPath)) {
      return sendFile(res, o.pluginDir, path.slice(pluginPath.length));
    }
    if (path === `/api/plugins/${String(o.pluginMeta.id)}/settings`) {
      if (req.method === 'POST') {
        const body = JSON.parse((await readBody(req)).toString('utf8') || '{}') as { jsonData?: unknown };
        state.savedJsonData = body.jsonData;
        o.pluginMeta.jsonData = body.jsonData ?? o.pluginMeta.jsonData;
      }
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(o.pluginMeta));
      return;
    }
    if (path.startsWith(proxyPath)) {
      const target = new URL(`/${path.slice(proxyPath.length)}${url.search}`, o.prometheusUrl);
      const body = await readBody(req);
      const upstream = httpRequest(
        target,
        { method: req.method, headers: { 'content-type': req.headers['content-type'] ?? '' } },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, {
            'Content-Type': answer.headers['content-type'] ?? 'application/json',
          });
          answer.pipe(res);
        }
      );
      upstream.on('error', (e) => res.writeHead(502).end(String(e)));
      upstream.end(body);
      return;
    }
    if (path.startsWith('/api/') || path.startsWith('/public/')) {
      res.writeHead(404).end();
      return;
    }
    // Grafana answers every page URL with its index.html; the frontend routes.
    res.writeHead(200, { 'Content-Type': 'text/html' }).end(page);
  }

  const server = createServer((req, res) => {
    res.on('finish', () => {
      if (res.statusCode >= 400) {
        failures.push(`${req.method} ${req.url} -> ${res.statusCode}`);
      }
    });
    handle(req, res).catch((e: unknown) => {
      failures.push(`${req.method} ${req.url} -> ${String(e)}`);
      if (!res.headersSent) {
        res.writeHead(500).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${o.appSubUrl}`,
    failures,
    iconsNotPublished,
    get savedJsonData() {
      return state.savedJsonData;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
