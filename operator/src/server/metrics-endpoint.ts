// /metrics: the registry's text, then (on the leader only) the text of the metric sources controllers registered
// (e.g. the Challenge series). Concurrent scrapes share one render; with --metrics-secure a caller must pass the
// authorizer first.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';
import type { Piece } from '../metrics/gzip-pieces.ts';
import { SharedRender, sendRendered } from '../metrics/shared-render.ts';
import type { MetricsAuthorizer } from './metrics-auth.ts';

/** Hands over metric text in pieces; served after the registry's, by the leader only. */
export type MetricsSource = (push: (piece: Piece) => void) => Promise<void>;

export class MetricsEndpoint {
  private readonly registry: Registry;
  private readonly leading: () => boolean;
  private readonly auth?: MetricsAuthorizer;
  private readonly sources: MetricsSource[] = [];
  /** Concurrent scrapes share one render of the registry and the leader's metric sources. */
  private readonly text = new SharedRender(async (push) => {
    push(await this.registry.metrics());
    if (this.leading()) {
      for (const source of this.sources) {
        await source(push);
      }
    }
  });

  constructor(registry: Registry, leading: () => boolean, auth?: MetricsAuthorizer) {
    this.registry = registry;
    this.leading = leading;
    this.auth = auth;
  }

  addSource(source: MetricsSource): void {
    this.sources.push(source);
  }

  /** The full text at once (tests). */
  async render(): Promise<string> {
    let body = await this.registry.metrics();
    if (this.leading()) {
      for (const source of this.sources) {
        await source((p) => (body += p.plain.toString()));
      }
    }
    return body;
  }

  async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (this.auth) {
      const verdict = await this.auth.check(req);
      if (verdict.status !== 200) {
        const retry = verdict.retryAfter ? { 'retry-after': String(verdict.retryAfter) } : {};
        res.writeHead(verdict.status, { 'content-type': 'text/plain', ...retry }).end(`${verdict.reason}\n`);
        return;
      }
    }
    const text = await this.text.get();
    await sendRendered(text, req.headers['accept-encoding'], this.registry.contentType, res);
  }
}
