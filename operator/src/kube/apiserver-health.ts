// Live readiness of the apiserver, for the operator's /readyz: an operator cut off from the API (apiserver down,
// or up without etcd) cannot reconcile, and its readiness should say so. Informer caches alone never notice:
// they stay synced through an outage. GET /readyz is readable by every identity (system:public-info-viewer).
import { request, type RequestOptions } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { realClock, type Clock } from '../clock.ts';

export class ApiserverHealth {
  private readonly kc: KubeConfig;
  private readonly clock: Clock;
  private readonly timeoutMs: number;
  private readonly cacheMs: number;
  private last?: { at: number; result: Promise<string | undefined> };

  constructor(kc: KubeConfig, opts: { clock?: Clock; timeoutMs?: number; cacheMs?: number } = {}) {
    this.kc = kc;
    this.clock = opts.clock ?? realClock;
    this.timeoutMs = opts.timeoutMs ?? 2000;
    this.cacheMs = opts.cacheMs ?? 1000; // probes from several kubelets/tools share one request
  }

  /** undefined when the apiserver reports ready, else why not. */
  check(): Promise<string | undefined> {
    const now = this.clock.now();
    if (!this.last || now - this.last.at >= this.cacheMs) this.last = { at: now, result: this.probe() };
    return this.last.result;
  }

  private async probe(): Promise<string | undefined> {
    const server = this.kc.getCurrentCluster()?.server;
    if (!server) return 'no apiserver configured';
    const opts: RequestOptions = { method: 'GET', timeout: this.timeoutMs };
    try {
      await this.kc.applyToHTTPSOptions(opts);
      return await new Promise<string | undefined>((resolve) => {
        const req = request(new URL('/readyz', server), opts, (res) => {
          let body = '';
          res.on('data', (b) => (body += b));
          res.on('end', () => resolve(res.statusCode === 200 ? undefined : `apiserver /readyz ${res.statusCode}: ${body.trim().split('\n').filter((l) => l.includes('failed')).join('; ').slice(0, 300)}`));
        });
        req.on('timeout', () => req.destroy(new Error(`no answer within ${this.timeoutMs} ms`)));
        req.on('error', (err) => resolve(`apiserver unreachable: ${err.message}`));
        req.end();
      });
    } catch (err) {
      return `apiserver unreachable: ${(err as Error).message}`;
    }
  }
}
