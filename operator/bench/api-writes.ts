// Shared by the benchmarks that write to a real apiserver (reconcile.ts, sync.ts): the definition their Challenges
// use, and a bounded pool of concurrent requests.
import type { ChallengeDefinition } from '../src/api/types.ts';

/** One web component: a Deployment of one nginx replica with requests, behind a NodePort Service. */
export function webDefinitionSpec(): ChallengeDefinition['spec'] {
  return {
    isOne: false, category: 'web',
    components: [{
      name: 'web',
      deployment: { spec: { replicas: 1, template: { spec: { containers: [{ name: 'web', image: 'nginx:1.27', ports: [{ containerPort: 80 } as never], resources: { requests: { cpu: '100m', memory: '64Mi' } } }] } } } },
      service: { spec: { type: 'NodePort', ports: [{ port: 80, targetPort: 80 }] } },
    }],
  };
}

/** fn over every item, at most `limit` at a time. */
export async function pool<T>(items: T[], limit: number, fn: (item: T, i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i], i);
    }
  }));
}
