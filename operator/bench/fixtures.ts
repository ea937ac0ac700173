// Synthetic Challenges for the in-process benchmarks, fed through the operator's own Informer cache (a
// ListWatch that answers from memory: the apiserver route for 100k objects would take hours here).
import { Informer } from '../src/kube/informer.ts';
import type { ListWatch } from '../src/kube/list-watch.ts';
import { realClock } from '../src/clock.ts';
import { ChallengeCollector } from '../src/metrics/challenge-collector.ts';
import type { Challenge, ChallengeDefinition, KubeObject, State } from '../src/api/types.ts';

const STATES: State[] = ['Pending', 'Running', 'Running', 'Running', 'Error'];

/** n Challenges across `users` users and 20 challenge ids, in a few namespaces, with realistic metadata. */
export function makeChallenges(n: number, users = Math.max(1, Math.ceil(n / 5)), namespaces = 4): Challenge[] {
  const out: Challenge[] = [];
  for (let i = 0; i < n; i++) {
    const user = `user-${i % users}`;
    const challengeId = String(1 + (i % 20));
    const name = `c-${challengeId}-${user}-${i}`;
    const now = new Date(Date.UTC(2026, 10, 25, 12, 0, i % 60)).toISOString();
    out.push({
      apiVersion: 'apps.hexactf.io/v1alpha1',
      kind: 'Challenge',
      metadata: {
        name,
        namespace: `ctf-${i % namespaces}`,
        uid: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
        resourceVersion: String(1000 + i),
        generation: 1,
        creationTimestamp: now,
        labels: { 'apps.hexactf.io/challengeId': challengeId, 'apps.hexactf.io/user': user },
        finalizers: ['challenge.hexactf.io/finalizer'],
      },
      spec: { definition: `def-${i % 10}` },
      status: {
        currentStatus: { state: STATES[i % STATES.length], errorMsg: '' },
        startedAt: now,
        observedGeneration: 1,
        endpoint: 30000 + (i % 2768),
        conditions: [
          {
            type: 'DefinitionResolved',
            status: 'True',
            reason: 'Found',
            message: `definition def-${i % 10}`,
            lastTransitionTime: now,
            observedGeneration: 1,
          },
          {
            type: 'Ready',
            status: 'True',
            reason: 'Available',
            message: 'every component is available',
            lastTransitionTime: now,
            observedGeneration: 1,
          },
        ],
      },
    });
  }
  return out;
}

export function makeDefinitions(namespaces = 4): ChallengeDefinition[] {
  const out: ChallengeDefinition[] = [];
  for (let ns = 0; ns < namespaces; ns++) {
    for (let d = 0; d < 10; d++) {
      out.push({
        apiVersion: 'apps.hexactf.io/v1alpha1',
        kind: 'ChallengeDefinition',
        metadata: { name: `def-${d}`, namespace: `ctf-${ns}`, resourceVersion: String(d + 1) },
        spec: {
          isOne: false,
          category: ['web', 'pwn', 'crypto', 'rev', 'misc'][d % 5],
          components: [
            {
              name: 'app',
              deployment: {
                spec: {
                  replicas: 1,
                  template: {
                    spec: {
                      containers: [
                        { name: 'app', image: 'nginx:1.27', resources: { requests: { cpu: '100m', memory: '64Mi' } } },
                      ],
                    },
                  },
                },
              },
              service: { spec: { type: 'NodePort', ports: [{ port: 80 }] } },
            },
          ],
        },
      });
    }
  }
  return out;
}

/** A ListWatch that lists the given objects and then watches forever without events. */
function staticListWatch<T extends KubeObject>(items: T[]): ListWatch<T> {
  return {
    list: async () => ({ items: [...items], resourceVersion: '1' }),
    watch: async () => ({ abort() {} }),
  };
}

/** A started, synced Informer holding `items`. */
export async function filledInformer<T extends KubeObject>(
  name: string,
  items: T[],
  transform?: (o: any) => T
): Promise<Informer<T>> {
  const inf = new Informer<T>(staticListWatch(items), { name, transform });
  inf.start();
  await inf.waitForSync();
  return inf;
}

/** The Challenge series collector over filled informers, wired as the manager wires it (60 s retention). */
export function collectorOver(
  challenges: Informer<Challenge>,
  definitions: Informer<ChallengeDefinition>
): ChallengeCollector {
  return new ChallengeCollector(
    {
      challenges: () => challenges.list(),
      get: (k) => challenges.get(k),
      definitions: () => definitions.list(),
      definition: (ns, name) => definitions.get(`${ns}/${name}`),
    },
    realClock,
    60_000
  );
}
