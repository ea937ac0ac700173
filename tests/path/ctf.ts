// The CTF of the path test (cluster.ts), as players and the missing controllers play it on the real operator: the
// ChallengeDefinitions, and a Ctf that opens, runs, fails and deletes instances in two namespaces, keeping what the
// cluster did (LifecycleTruth) and reading its truth back from the apiserver. The edge plays (edges-script.ts) play
// theirs with the same Ctf, in their own namespaces.
import { STATE_CODES, isStateName } from '@hexactf/contract';
import { type KubeConfig } from '@kubernetes/client-node';
import { ChallengeClient } from '@hexactf/testing/challenge-client';
import { waitFor } from '@hexactf/testing/wait';
import { FINALIZER, timeMs, type Challenge, type State } from '../../operator/src/api/types.ts';
import { noLifecycle, type TruthRow } from './checkpoints.ts';

export const NS = 'ctf';
/** A second namespace with the same challenge id and user as one in NS. */
export const NS2 = 'ctf2';

/** Requests of one instance of each definition: CPU cores, memory MiB (one component, one replica). */
export const REQUESTS: Record<string, { cpu: number; memoryMi: number }> = {
  'web-login': { cpu: 0.1, memoryMi: 64 },
  'pwn-echo': { cpu: 0.05, memoryMi: 32 },
  'crypto-rsa': { cpu: 0.2, memoryMi: 128 },
  'web-broken': { cpu: 0.05, memoryMi: 32 },
};

export function definition(name: string, category: string, image: string) {
  return {
    apiVersion: 'apps.hexactf.io/v1alpha1',
    kind: 'ChallengeDefinition',
    metadata: { name },
    spec: {
      category,
      components: [
        {
          name: 'app',
          deployment: {
            spec: {
              replicas: 1,
              template: {
                spec: {
                  containers: [
                    {
                      name: 'app',
                      image,
                      ports: [{ containerPort: 8080 }],
                      resources: {
                        requests: { cpu: `${REQUESTS[name].cpu * 1000}m`, memory: `${REQUESTS[name].memoryMi}Mi` },
                      },
                    },
                  ],
                },
              },
            },
          },
          service: { spec: { type: 'NodePort', ports: [{ port: 80, targetPort: 8080 }] } },
        },
      ],
    },
  };
}

/** The CTF as players and the missing controllers play it, through the Challenge test client, in two namespaces. */
export class Ctf {
  private readonly clients: Record<string, ChallengeClient>;
  /** Deleted Challenges by namespace/name, with their definition (until re-created). */
  readonly deleted = new Map<string, { namespace: string; name: string; definition: string }>();
  /** Deletions asked and not seen finished: namespace/name -> creationTimestamp and when the deletion was asked (ms). */
  private readonly deleting = new Map<string, { definition: string; createdMs: number; askedMs: number }>();
  /** The lifecycle truth since the current operator pod started (reset when a new pod starts). */
  lifecycle = noLifecycle();

  /** In these namespaces (the path test's two by default; the edge plays pass theirs). */
  constructor(kc: KubeConfig, namespaces = [NS, NS2]) {
    this.clients = Object.fromEntries(namespaces.map((ns) => [ns, new ChallengeClient(kc, ns)]));
  }

  client(ns = NS): ChallengeClient {
    return this.clients[ns];
  }

  static nameOf(user: string, challengeId: string): string {
    return `ch-${challengeId}-${user}`;
  }

  async open(user: string, challengeId: string, definition: string, ns = NS): Promise<string> {
    const name = Ctf.nameOf(user, challengeId);
    await this.client(ns).createChallenge(name, { user, challengeId, definition });
    this.deleted.delete(`${ns}/${name}`);
    this.lifecycle.opened++;
    return name;
  }

  async state(name: string, state: State, ns = NS): Promise<Challenge> {
    const ch = await this.client(ns).waitForState(name, state);
    if (state === 'Error') {
      this.lifecycle.failed++;
    }
    return ch;
  }

  /** Plays the Deployment controller (there is none): every replica available, after `pendingMs` (a slow start). */
  async run(name: string, ns = NS, pendingMs = 0): Promise<void> {
    await new Promise((ok) => setTimeout(ok, pendingMs));
    await this.client(ns).markAllAvailable(name, 1);
    const ch = await this.state(name, 'Running', ns);
    // Pending to Running as the status says it (pendingSince, else creation, to startedAt).
    const since = timeMs(ch.status!.pendingSince) ?? timeMs(ch.metadata.creationTimestamp)!;
    const seconds = Math.max(0, timeMs(ch.status!.startedAt)! - since) / 1000;
    (this.lifecycle.timeToRunning[`${ns}/${ch.spec.definition}`] ??= []).push(seconds);
  }

  /** Plays the kubelet failing to pull the image: a pod of the Deployment waiting with reason. */
  async failPull(name: string, reason: 'ErrImagePull' | 'ImagePullBackOff', ns = NS): Promise<void> {
    const [d] = await this.client(ns).waitForDeployments(name, 1);
    await this.client(ns).createWaitingPod(
      d,
      reason,
      `pulling ${d.spec!.template.spec!.containers[0].image}: not found`
    );
    await this.state(name, 'Error', ns);
  }

  /** Asks for the deletion; the operator's finalizer finishes it (not awaited: the operator may be down). */
  async requestDelete(name: string, ns = NS): Promise<void> {
    const ch = (await this.client(ns).getChallenge(name))!;
    const def = ch.spec.definition;
    const askedMs = Date.now();
    await this.client(ns).deleteChallenge(name);
    this.deleted.set(`${ns}/${name}`, { namespace: ns, name, definition: def });
    this.deleting.set(`${ns}/${name}`, { definition: def, createdMs: timeMs(ch.metadata.creationTimestamp)!, askedMs });
  }

  /** Waits for a deletion the operator finishes (its finalizer): one lifetime observation between these bounds. */
  async gone(name: string, ns = NS): Promise<void> {
    const client = this.client(ns);
    // The garbage collector's part, which this control plane lacks: the pods of a deleted Deployment go, so the
    // operator, which removes an instance's NetworkPolicy only once its pods are gone, can finish the deletion.
    await waitFor(`challenge ${name} gone`, async () => {
      await client.collectGarbage();
      return (await client.getChallenge(name)) === undefined;
    });
    const { definition, createdMs, askedMs } = this.deleting.get(`${ns}/${name}`)!;
    this.deleting.delete(`${ns}/${name}`);
    // The operator reads its clock once its finalizer write has returned, which this poll may see first: a second's slack.
    (this.lifecycle.lifetimes[`${ns}/${definition}`] ??= []).push([
      (askedMs - createdMs) / 1000,
      (Date.now() + 1000 - createdMs) / 1000,
    ]);
  }

  async close(name: string, ns = NS): Promise<void> {
    await this.requestDelete(name, ns);
    await this.gone(name, ns);
  }

  /** An organizer removing the operator's finalizer by hand: the Challenge is gone at once, whatever the operator does. */
  async removeFinalizer(name: string, ns = NS): Promise<void> {
    const c = this.client(ns);
    const ch = (await c.getChallenge(name))!;
    const finalizers = (ch.metadata.finalizers ?? []).filter((f) => f !== FINALIZER);
    await c.custom.patchNamespacedCustomObject({
      group: 'apps.hexactf.io',
      version: 'v1alpha1',
      namespace: ns,
      plural: 'challenges',
      name,
      body: [{ op: 'replace', path: '/metadata/finalizers', value: finalizers }],
    });
    this.deleting.delete(`${ns}/${name}`); // the operator does not finish this one: no lifetime
  }

  /** What the cluster holds: live Challenges by their status (Deleted once deletion is asked), 2 for the ones gone. */
  async truth(): Promise<TruthRow[]> {
    const rows: TruthRow[] = [];
    for (const ns of Object.keys(this.clients)) {
      for (const ch of await this.client(ns).challenges()) {
        const written = ch.status?.currentStatus?.state;
        const state = ch.metadata.deletionTimestamp ? 'Deleted' : isStateName(written) ? written : 'Pending';
        rows.push({
          challengeId: ch.metadata.labels!['apps.hexactf.io/challengeId'],
          user: ch.metadata.labels!['apps.hexactf.io/user'],
          name: ch.metadata.name,
          namespace: ns,
          definition: ch.spec.definition,
          state,
          value: STATE_CODES[state],
        });
      }
    }
    for (const { namespace, name, definition } of this.deleted.values()) {
      if (rows.some((r) => r.namespace === namespace && r.name === name)) {
        continue; // its deletion has not finished: listed above, as Deleted
      }
      const [, challengeId, user] = /^ch-([^-]+)-(.+)$/.exec(name)!;
      rows.push({ challengeId, user, name, namespace, definition, state: 'Deleted', value: STATE_CODES.Deleted });
    }
    return rows.sort((a, b) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`));
  }
}
