// What the benches see of the Challenges, from one list + watch (a poll of the whole list every 250 ms was itself
// load on the apiserver the operator was measured against, growing with the number of Challenges): when each
// Challenge was first seen in a state, first seen with its endpoint, and its state and Ready reason now.
import type { Challenge, State } from '../src/api/types.ts';
import type { RestClient } from '../src/kube/rest.ts';

interface Seen {
  at: Map<State, number>;
  endpointAt?: number;
  state?: State;
  reason?: string;
}

export class ChallengeWatch {
  readonly seen = new Map<string, Seen>();
  /** How many Challenges have been seen in each state (at least once). */
  readonly reached = new Map<State, number>();
  private stream?: { abort(): void };
  private waiters: Array<() => void> = [];
  private stopped = false;
  /** How often the watch had to be started again. */
  restarts = 0;

  static async start(rest: RestClient, namespace: string): Promise<ChallengeWatch> {
    const w = new ChallengeWatch();
    await w.listAndWatch(rest, `/apis/apps.hexactf.io/v1alpha1/namespaces/${namespace}/challenges`);
    return w;
  }

  /** A watch the apiserver ends (a busy bench process is a slow watcher it may drop) is started again from a list. */
  private async listAndWatch(rest: RestClient, path: string): Promise<void> {
    const list = await rest.request<{ items: Challenge[]; metadata: { resourceVersion: string } }>('GET', path);
    list.items.forEach((ch) => this.note(ch));
    this.stream = await rest.watch(
      path,
      { resourceVersion: list.metadata.resourceVersion, allowWatchBookmarks: false },
      (type, obj) => type !== 'DELETED' && type !== 'ERROR' && this.note(obj as Challenge),
      () => {
        if (!this.stopped) {
          this.restarts++;
          this.listAndWatch(rest, path).catch((err) => process.stderr.write(`challenge watch: ${String(err)}\n`));
        }
      }
    );
  }

  private note(ch: Challenge): void {
    const now = performance.now();
    const s: Seen = this.seen.get(ch.metadata.name) ?? { at: new Map() };
    this.seen.set(ch.metadata.name, s);
    const state = ch.status?.currentStatus?.state;
    // A version missed while the watch was restarted: seen Running or in Error, it has been Pending.
    for (const st of state && state !== 'Pending' ? ['Pending' as State, state] : [state]) {
      if (st && !s.at.has(st)) {
        s.at.set(st, now);
        this.reached.set(st, (this.reached.get(st) ?? 0) + 1);
      }
    }
    if (ch.status?.endpoint && s.endpointAt === undefined) {
      s.endpointAt = now;
    }
    s.state = state;
    s.reason = ch.status?.conditions?.find((c) => c.type === 'Ready')?.reason;
    const waiters = this.waiters;
    this.waiters = [];
    waiters.forEach((wake) => wake());
  }

  /** Resolves once `n` have been seen in one of `states` (a sum: checked at every event in constant time). */
  async until(n: number, ...states: State[]): Promise<void> {
    while (states.reduce((sum, st) => sum + (this.reached.get(st) ?? 0), 0) < n) {
      await new Promise<void>((wake) => this.waiters.push(wake));
    }
  }

  /** The Challenges now in Error, by Ready reason. */
  errors(): Map<string, number> {
    const out = new Map<string, number>();
    for (const s of this.seen.values()) {
      if (s.state === 'Error') {
        out.set(s.reason ?? '?', (out.get(s.reason ?? '?') ?? 0) + 1);
      }
    }
    return out;
  }

  stop(): void {
    this.stopped = true;
    this.stream?.abort();
  }
}
