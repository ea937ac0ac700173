// The health probe server's routes: /healthz answers while the process runs; /readyz only once every cache has
// synced and the apiserver answers (kube/apiserver-health.ts).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApiserverHealth } from '../kube/apiserver-health.ts';

/** What /readyz asks of a cache: the manager's informers. */
interface SyncingCache {
  readonly name: string;
  hasSynced(): boolean;
}

/** `caches` is read on every request: caches added after the server started count too. */
export function probeRoutes(
  caches: readonly SyncingCache[],
  apiserverHealth: ApiserverHealth
): Record<string, (req: IncomingMessage, res: ServerResponse) => void | Promise<void>> {
  return {
    '/healthz': (_q, res) => void res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n'),
    '/readyz': (_q, res) => serveReadyz(res, caches, apiserverHealth),
  };
}

async function serveReadyz(
  res: ServerResponse,
  caches: readonly SyncingCache[],
  apiserverHealth: ApiserverHealth
): Promise<void> {
  const waiting = caches.filter((i) => !i.hasSynced()).map((i) => i.name);
  const apiserver = waiting.length ? undefined : await apiserverHealth.check();
  if (waiting.length) {
    res.writeHead(503, { 'content-type': 'text/plain' }).end(`caches not synced: ${waiting.join(', ')}\n`);
  } else if (apiserver) {
    res.writeHead(503, { 'content-type': 'text/plain' }).end(`${apiserver}\n`);
  } else {
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
  }
}
