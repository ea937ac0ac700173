// Lease-based leader election (coordination.k8s.io/v1), following client-go's rules: a lease is expired when
// its record has not changed for leaseDuration as observed on OUR clock (no trust in other nodes' clocks);
// the leader renews every retryPeriod and steps down when it could not renew within renewDeadline.
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
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  clock: Clock;
  log: Logger;
  onStartedLeading: () => void;
  onStoppedLeading: () => void;
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

  constructor(o: LeaderElectorOptions) {
    this.o = {
      renewDeadlineMs: Math.round((o.leaseDurationMs * 2) / 3),
      retryPeriodMs: Math.max(200, Math.round(o.leaseDurationMs / 7.5)),
      ...o,
    };
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

  private async round(): Promise<void> {
    let ok = false;
    try {
      ok = await this.tryAcquireOrRenew();
    } catch (err) {
      if (!isConflict(err)) {
        this.o.log.warn('leader election round failed', { error: (err as Error).message });
      }
    }
    if (this.stopped) {
      return;
    }
    const now = this.o.clock.now();
    if (ok) {
      this.lastRenew = now;
      if (!this.leader) {
        this.setLeader(true);
      }
    } else if (this.leader && now - this.lastRenew >= this.o.renewDeadlineMs) {
      this.o.log.warn('lost leadership: lease not renewed within the renew deadline');
      this.setLeader(false);
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
