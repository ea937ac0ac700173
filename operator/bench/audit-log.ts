// Counting the requests one client makes, at the real kube-apiserver: its audit log (one JSON line per request at
// ResponseComplete, metadata only), filtered by the authenticated user and a time window, counted by verb and
// resource. What the apiserver saw is what counts: retries, 409s and requests the client's own code does not
// report are in it; nothing of the client's is instrumented.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

interface AuditEvent {
  stage?: string;
  verb?: string;
  user?: { username?: string };
  objectRef?: { resource?: string; subresource?: string };
  responseStatus?: { code?: number };
  requestReceivedTimestamp?: string;
}

/** kube-apiserver flags that log every request's metadata to `dir`/audit.log; returns the flags and the log path. */
export function auditArgs(dir: string): { args: string[]; log: string } {
  const policy = join(dir, 'audit-policy.yaml');
  const log = join(dir, 'audit.log');
  // One line per request (no RequestReceived/ResponseStarted stages), no bodies: the least the apiserver can log.
  writeFileSync(
    policy,
    [
      'apiVersion: audit.k8s.io/v1',
      'kind: Policy',
      'omitStages: ["RequestReceived", "ResponseStarted"]',
      'rules:',
      '  - level: Metadata',
      '',
    ].join('\n')
  );
  return {
    args: [
      `--audit-policy-file=${policy}`,
      `--audit-log-path=${log}`,
      '--audit-log-format=json',
      '--audit-log-maxsize=0',
    ],
    log,
  };
}

/** `verb resource[/subresource]` -> count, for one user's requests received in [from, to) (ms since the epoch). */
export function countRequests(log: string, username: string, from: number, to: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of readFileSync(log, 'utf8').split('\n')) {
    if (!line.includes(username)) {
      continue;
    }
    const e = JSON.parse(line) as AuditEvent;
    const at = Date.parse(e.requestReceivedTimestamp ?? '');
    if (e.stage !== 'ResponseComplete' || e.user?.username !== username || !(at >= from && at < to)) {
      continue;
    }
    const ref = e.objectRef ?? {};
    const what = `${e.verb} ${ref.resource ?? '(none)'}${ref.subresource ? `/${ref.subresource}` : ''}`;
    const code = e.responseStatus?.code;
    const key = code !== undefined && code >= 400 ? `${what} (${code})` : what;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}
