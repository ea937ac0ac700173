// Lease-based leader election (coordination.k8s.io/v1), following client-go's rules: a lease is expired when
// its record has not changed for leaseDuration as observed on OUR clock (no trust in other nodes' clocks);
// the leader renews every retryPeriod and steps down when it could not renew within renewDeadline.
// The renew deadline is a timer, not a check after a round: a renewal stuck in the network or behind a slow
// apiserver ends the leadership when the deadline passes (controller-runtime's RenewDeadline), so a replica stops
// acting while the others still consider the Lease held (leaseDuration > renewDeadline).
import type { Clock, TimerHandle } from '../clock.ts';
import type { Logger } from '../log.ts';
import { isConflict, isNotFound } from './errors.ts';
import type { RestClient } from './rest.ts';

/** coordination.k8s.io/v1 Lease, the fields leader election uses. */
export interface Lease {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; resourceVersion?: string };
  spec?: {
    holderIdentity?: string;
    leaseDurationSeconds?: number;
    acquireTime?: string | Date;
    renewTime?: string | Date;
    leaseTransitions?: number;
  };
}

/** The three Lease calls; kubeLeaseStore implements them against the apiserver. */
export interface LeaseStore {
  get(): Promise<Lease | undefined>;
  create(lease: Lease): Promise<Lease>;
  replace(lease: Lease): Promise<Lease>;
}

/** Leases speak MicroTime: RFC 3339 with six fractional digits. */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/Z$/, '000Z');
}

export function kubeLeaseStore(rest: RestClient, namespace: string, name: string): LeaseStore {
  const base = `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(namespace)}/leases`;
  return {
    async get() {
      try {
        return await rest.get<Lease>(`${base}/${encodeURIComponent(name)}`);
      } catch (err) {
        if (isNotFound(err)) {
          return undefined;
        }
        throw err;
      }
    },
    create: (lease) => rest.request<Lease>('POST', base, { body: lease }),
    replace: (lease) => rest.request<Lease>('PUT', `${base}/${encodeURIComponent(name)}`, { body: lease }),
  };
}

interface LeaderElectorOptions {
  store: LeaseStore;
  name: string;
  namespace: string;
  identity: string;
  leaseDurationMs: number;
  /** Default 2/3 of leaseDuration (10 s for 15 s); must be below leaseDuration. */
  renewDeadlineMs?: number;
  /** Default leaseDuration / 7.5 (2 s for 15 s); must be below renewDeadline. */
  retryPeriodMs?: number;
  clock: Clock;
  log: Logger;
  onStartedLeading: () => void;
  onStoppedLeading: () => void;
}

/** client-go's proportions (15 s / 10 s / 2 s): the defaults when only the lease duration is given. */
export function electionTimes(leaseDurationMs: number): { renewDeadlineMs: number; retryPeriodMs: number } {
  return {
    renewDeadlineMs: Math.round((leaseDurationMs * 2) / 3),
    retryPeriodMs: Math.max(200, Math.round(leaseDurationMs / 7.5)),
  };
}

export class LeaderElector {
  private readonly o: Required<LeaderElectorOptions>;
  private leader = false;
  private stopped = true;
  private timer?: TimerHandle;
  private observedRecord = '';
  private observedAt = 0;
  private lastRenew = 0;
  private inFlight?: Promise<void>;
  private deadlineTimer?: TimerHandle;

  constructor(o: LeaderElectorOptions) {
    const defaults = electionTimes(o.leaseDurationMs);
    this.o = {
      ...o,
      renewDeadlineMs: o.renewDeadlineMs || defaults.renewDeadlineMs,
      retryPeriodMs: o.retryPeriodMs || defaults.retryPeriodMs,
    };
    const { leaseDurationMs: lease, renewDeadlineMs: renew, retryPeriodMs: retry } = this.o;
    if (!(lease > renew && renew > retry && retry > 0)) {
      throw new Error(
        `leader election needs leaseDuration > renewDeadline > retryPeriod > 0 (${lease}/${renew}/${retry} ms)`
      );
    }
  }

  get renewDeadlineMs(): number {
    return this.o.renewDeadlineMs;
  }

  get retryPeriodMs(): number {
    return this.o.retryPeriodMs;
  }

  isLeader(): boolean {
    return this.leader;
  }

  start(): void {
    if (!this.stopped) {
      return;
    }
    this.stopped = false;
    this.tick();
  }

  /** Stops campaigning; a leader releases the Lease so another replica takes over without waiting. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) {
      this.o.clock.clearTimeout(this.timer);
    }
    this.clearDeadline();
    await this.inFlight;
    if (!this.leader) {
      return;
    }
    this.setLeader(false);
    try {
      const lease = await this.o.store.get();
      if (lease?.spec?.holderIdentity === this.o.identity) {
        const now = microTime(this.o.clock.now());
        await this.o.store.replace({
          ...lease,
          spec: { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: now, acquireTime: now },
        });
      }
    } catch (err) {
      this.o.log.warn('could not release the lease', { error: (err as Error).message });
    }
  }

  private tick(): void {
    if (this.stopped) {
      return;
    }
    this.inFlight = this.round().finally(() => {
      this.inFlight = undefined;
      if (!this.stopped) {
        this.timer = this.o.clock.setTimeout(() => this.tick(), this.o.retryPeriodMs);
      }
    });
  }

  /** One acquire-or-renew attempt, given up (as failed) after renewDeadline: a hung request never holds the loop. */
  private async round(): Promise<void> {
    const { clock, renewDeadlineMs } = this.o;
    const startedAt = clock.now();
    let timer: TimerHandle | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = clock.setTimeout(() => resolve('timeout'), renewDeadlineMs);
    });
    const attempt = this.tryAcquireOrRenew();
    attempt.catch(() => undefined); // an attempt given up may still fail later
    let ok = false;
    try {
      const outcome = await Promise.race([attempt, timeout]);
      if (outcome === 'timeout') {
        this.o.log.warn('leader election round timed out', { afterMs: renewDeadlineMs });
      } else {
        ok = outcome;
      }
    } catch (err) {
      if (!isConflict(err)) {
        this.o.log.warn('leader election round failed', { error: (err as Error).message });
      }
    } finally {
      clock.clearTimeout(timer!);
    }
    if (this.stopped || !ok) {
      return;
    }
    // The renewal counts from when it was sent: the others saw the new record no earlier than that.
    this.lastRenew = startedAt;
    this.armDeadline();
    if (!this.leader) {
      this.setLeader(true);
    }
  }

  /** Stops leading once renewDeadline has passed since the last renewal that succeeded, whatever is in flight. */
  private armDeadline(): void {
    this.clearDeadline();
    const renewedAt = this.lastRenew;
    const dueIn = renewedAt + this.o.renewDeadlineMs - this.o.clock.now();
    this.deadlineTimer = this.o.clock.setTimeout(() => {
      this.deadlineTimer = undefined;
      if (this.leader && !this.stopped && this.lastRenew === renewedAt) {
        this.o.log.warn('lost leadership: lease not renewed within the renew deadline', {
          renewDeadlineMs: this.o.renewDeadlineMs,
        });
        this.setLeader(false);
      }
    }, dueIn);
  }

  private clearDeadline(): void {
    if (this.deadlineTimer) {
      this.o.clock.clearTimeout(this.deadlineTimer);
      this.deadlineTimer = undefined;
    }
  }

  private setLeader(v: boolean): void {
    this.leader = v;
    this.o.log.info(v ? 'became leader' : 'stopped leading', {
      lease: `${this.o.namespace}/${this.o.name}`,
      identity: this.o.identity,
    });
    if (v) {
      this.o.onStartedLeading();
    } else {
      this.o.onStoppedLeading();
    }
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const { store, identity, clock } = this.o;
    const now = clock.now();
    const micro = microTime(now);
    const durationSeconds = Math.max(1, Math.round(this.o.leaseDurationMs / 1000));
    const lease = await store.get();
    if (!lease) {
      await store.create({
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name: this.o.name, namespace: this.o.namespace },
        spec: {
          holderIdentity: identity,
          leaseDurationSeconds: durationSeconds,
          acquireTime: micro,
          renewTime: micro,
          leaseTransitions: 0,
        },
      });
      this.observe(`${identity}|${new Date(micro).toISOString()}`, now);
      return true;
    }
    const spec = lease.spec ?? {};
    const record = `${spec.holderIdentity ?? ''}|${spec.renewTime ? new Date(spec.renewTime).toISOString() : ''}`;
    if (record !== this.observedRecord) {
      this.observe(record, now);
    }
    const holder = spec.holderIdentity ?? '';
    const held =
      holder !== '' &&
      holder !== identity &&
      this.observedAt + (spec.leaseDurationSeconds ?? durationSeconds) * 1000 > now;
    if (held) {
      return false;
    }
    const takingOver = holder !== identity;
    const updated = await store.replace({
      ...lease,
      spec: {
        ...spec,
        holderIdentity: identity,
        leaseDurationSeconds: durationSeconds,
        renewTime: micro,
        acquireTime: takingOver ? micro : spec.acquireTime ? microTime(new Date(spec.acquireTime).getTime()) : micro,
        leaseTransitions: (spec.leaseTransitions ?? 0) + (takingOver && holder !== '' ? 1 : 0),
      },
    });
    this.observe(`${identity}|${new Date(updated.spec?.renewTime ?? micro).toISOString()}`, now);
    return true;
  }

  private observe(record: string, now: number): void {
    this.observedRecord = record;
    this.observedAt = now;
  }
}
