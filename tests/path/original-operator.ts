// A stand-in for the exposition of the ORIGINAL HexaCTF operator (Go, v0.0.5). The original itself cannot run here (it
// is a Go controller built against a Kubernetes it expects to find, with states this project's CRD refuses), so this
// small HTTP server serves what it exported and plays what it does, as measured side by side:
// - one gauge, challenge_resource_status, labelled challeng_id (its typo), challenge_name, username, namespace;
//   no challenge_info and no challenge_definition_requests;
// - it keeps its instances in memory only: a restart loses every series, and it never exports them again although
//   the instances still run;
// - it deletes an instance in Error itself: 3, then 2 (Deleted), then the series is gone.
// A real Prometheus scrapes it; the path test reads that through the app's queries. This is a fake of the exporter
// only because the real one cannot run here; everything downstream of it is real.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LEGACY_CHALLENGE_ID_LABEL, STATUS_LABELS, STATUS_METRIC } from '@hexactf/contract';

export interface OriginalInstance {
  namespace: string;
  challengeId: string;
  user: string;
  name: string;
}

export class OriginalOperator {
  private readonly states = new Map<string, { instance: OriginalInstance; value: number }>();
  private server?: Server;
  port = 0;

  /** Starts serving /metrics (again, after a restart, on the same port so the target stays the same). */
  async start(): Promise<void> {
    const server = createServer((req, res) => {
      if (req.url !== '/metrics') {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' }).end(this.exposition());
    });
    await new Promise<void>((ok) => server.listen(this.port, '127.0.0.1', ok));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  /** Stops serving; its memory goes with it (what a restart of the original does). */
  async stop(): Promise<void> {
    this.states.clear();
    const server = this.server;
    this.server = undefined;
    server?.closeAllConnections();
    await new Promise<void>((ok) => (server ? server.close(() => ok()) : ok()));
  }

  set(instance: OriginalInstance, value: number): void {
    this.states.set(`${instance.namespace}/${instance.name}`, { instance, value });
  }

  /** Its own deletion of an Errored instance, last step: the series is removed. */
  remove(instance: OriginalInstance): void {
    this.states.delete(`${instance.namespace}/${instance.name}`);
  }

  private exposition(): string {
    const lines = [`# HELP ${STATUS_METRIC} Challenge status`, `# TYPE ${STATUS_METRIC} gauge`];
    for (const { instance: i, value } of this.states.values()) {
      const labels = [
        `${LEGACY_CHALLENGE_ID_LABEL}="${i.challengeId}"`,
        `${STATUS_LABELS.challengeName}="${i.name}"`,
        `${STATUS_LABELS.username}="${i.user}"`,
        `${STATUS_LABELS.namespace}="${i.namespace}"`,
      ];
      lines.push(`${STATUS_METRIC}{${labels.join(',')}} ${value}`);
    }
    return `${lines.join('\n')}\n`;
  }
}
