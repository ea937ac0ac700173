// Live readiness of the apiserver, for the operator's /readyz: an operator cut off from the API (apiserver down,
// or up without etcd) cannot reconcile, and its readiness should say so. Informer caches alone never notice:
// they stay synced through an outage. GET /readyz is readable by every identity (system:public-info-viewer).
import { realClock, type Clock } from '../clock.ts';
import type { RestClient } from './rest.ts';

export class ApiserverHealth {
  private readonly rest: RestClient;
  private readonly clock: Clock;
  private readonly timeoutMs: number;
  private readonly cacheMs: number;
  private last?: { at: number; result: Promise<string | undefined> };

  constructor(rest: RestClient, opts: { clock?: Clock; timeoutMs?: number; cacheMs?: number } = {}) {
    this.rest = rest;
    this.clock = opts.clock ?? realClock;
    this.timeoutMs = opts.timeoutMs ?? 2000;
    this.cacheMs = opts.cacheMs ?? 1000; // probes from several kubelets/tools share one request
  }

  /** undefined when the apiserver reports ready, else why not. */
  check(): Promise<string | undefined> {
    const now = this.clock.now();
    if (!this.last || now - this.last.at >= this.cacheMs) {
      this.last = { at: now, result: this.probe() };
    }
    return this.last.result;
  }

  private async probe(): Promise<string | undefined> {
    try {
      const { status, text } = await this.rest.probe('/readyz', this.timeoutMs);
      if (status === 200) {
        return undefined;
      }
      return `apiserver /readyz ${status}: ${text
        .trim()
        .split('\n')
        .filter((l) => l.includes('failed'))
        .join('; ')
        .slice(0, 300)}`;
    } catch (err) {
      return `apiserver unreachable: ${(err as Error).message}`;
    }
  }
}
