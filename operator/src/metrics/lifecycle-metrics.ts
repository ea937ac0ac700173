// The Challenge lifecycle metrics: state transitions written by the operator, time to Running and lifetime per
// definition (names and labels from the metric contract), on the manager's registry. The Challenge controller's
// setup creates them; the reconciler observes into them.
import {
  LIFECYCLE_LABELS,
  LIFETIME_METRIC,
  NO_STATE,
  STATE_NAMES,
  TIME_TO_RUNNING_METRIC,
  TRANSITIONS_METRIC,
  TRANSITION_LABELS,
  UNKNOWN_DEFINITION,
} from '@hexactf/contract';
import { Counter, Histogram, type Registry } from 'prom-client';

const LIFECYCLE_BUCKETS = [1, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21600, 86400];
/** Every state change the reconciler can write: from no state yet or a live state, to another state. */
const TRANSITION_PAIRS = [NO_STATE, ...STATE_NAMES.filter((s) => s !== 'Deleted')].flatMap((from) =>
  STATE_NAMES.filter((to) => to !== from).map((to) => ({ from, to }))
);

export class LifecycleMetrics {
  readonly registry: Registry;
  private readonly transitions: Counter<'namespace' | 'from' | 'to'>;
  private readonly ttr: Histogram<'namespace' | 'definition'>;
  private readonly life: Histogram<'namespace' | 'definition'>;
  /** Namespaces and namespace/definition pairs whose lifecycle series exist (see lifecycleDefinition). */
  private readonly lifecycleNamespaces = new Set<string>();
  private readonly lifecyclePairs = new Set<string>();

  constructor(registry: Registry) {
    this.registry = registry;
    const registers = [registry];
    this.transitions = new Counter({
      name: TRANSITIONS_METRIC,
      help: 'Challenge state changes written by the operator.',
      labelNames: TRANSITION_LABELS,
      registers,
    });
    this.ttr = new Histogram({
      name: TIME_TO_RUNNING_METRIC,
      help: 'Seconds from Pending to Running per instance.',
      labelNames: LIFECYCLE_LABELS,
      buckets: LIFECYCLE_BUCKETS,
      registers,
    });
    this.life = new Histogram({
      name: LIFETIME_METRIC,
      help: 'Seconds from creation to the end of cleanup per instance.',
      labelNames: LIFECYCLE_LABELS,
      buckets: LIFECYCLE_BUCKETS,
      registers,
    });
  }

  /**
   * The lifecycle series are counters: Prometheus cannot tell a series' first value from 0, so an observation that
   * creates its series is lost to rate() and increase(). They are created at 0 as soon as their labels are known
   * (client libraries' advice for known label sets): a namespace's transitions when it is watched or holds a
   * ChallengeDefinition, a definition's histograms when it enters the cache, before any Challenge of it runs or ends.
   * Bounded: namespaces are the watched ones, definitions are organisers' ChallengeDefinitions; a Challenge naming a
   * definition never seen (players choose that name) is recorded under UNKNOWN_DEFINITION, never under its own.
   * Kept when the definition goes (its live Challenges still end); an operator restart starts them afresh.
   */
  lifecycleNamespace(namespace: string): void {
    if (this.lifecycleNamespaces.has(namespace)) {
      return;
    }
    this.lifecycleNamespaces.add(namespace);
    for (const { from, to } of TRANSITION_PAIRS) {
      this.transitions.inc({ namespace, from, to }, 0);
    }
  }

  lifecycleDefinition(namespace: string, definition: string): void {
    this.lifecycleNamespace(namespace);
    const key = `${namespace}/${definition}`;
    if (this.lifecyclePairs.has(key)) {
      return;
    }
    this.lifecyclePairs.add(key);
    this.ttr.zero({ namespace, definition });
    this.life.zero({ namespace, definition });
  }

  /** The definition label of an observation: the definition if its series exist, else UNKNOWN_DEFINITION (created at first use). */
  private known(namespace: string, definition: string): { namespace: string; definition: string } {
    this.lifecycleNamespace(namespace);
    return this.lifecyclePairs.has(`${namespace}/${definition}`)
      ? { namespace, definition }
      : { namespace, definition: UNKNOWN_DEFINITION };
  }

  transition(namespace: string, from: string, to: string): void {
    this.lifecycleNamespace(namespace);
    this.transitions.inc({ namespace, from, to });
  }

  timeToRunning(namespace: string, definition: string, seconds: number): void {
    this.ttr.observe(this.known(namespace, definition), seconds);
  }

  lifetime(namespace: string, definition: string, seconds: number): void {
    this.life.observe(this.known(namespace, definition), seconds);
  }
}
