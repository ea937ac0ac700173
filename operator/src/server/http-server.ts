// /metrics and /healthz + /readyz servers on node:http, or node:https when given a certificate (--metrics-secure).
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { parseBindAddress } from './bind-address.ts';

const { createServer } = process.getBuiltinModule('node:http');

type Handler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export interface BoundServer {
  url: string; // http://host:port
  close(): Promise<void>;
}

interface ListenOptions {
  /** Serve HTTPS with this PEM certificate and key. */
  tls?: { cert: string; key: string };
}

export async function listen(
  bindAddress: string,
  routes: Record<string, Handler>,
  opts: ListenOptions = {}
): Promise<BoundServer> {
  const { host, port } = parseBindAddress(bindAddress);
  const handle: RequestListener = async (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const route = routes[path];
    if (!route || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    try {
      await route(req, res);
    } catch (err) {
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'text/plain' });
      }
      res.end(`error: ${(err as Error).message}\n`);
    }
  };
  const server: Server = opts.tls
    ? createTlsServer({ cert: opts.tls.cert, key: opts.tls.key, minVersion: 'TLSv1.2' }, handle)
    : createServer(handle);
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host || undefined, () => resolve());
  });
  const addr = server.address() as AddressInfo;
  const shownHost =
    addr.family === 'IPv6'
      ? host
        ? `[${addr.address}]`
        : '127.0.0.1'
      : addr.address === '0.0.0.0'
        ? '127.0.0.1'
        : addr.address;
  return {
    url: `${opts.tls ? 'https' : 'http'}://${shownHost}:${addr.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
