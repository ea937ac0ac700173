// The Challenge test client: creates ChallengeDefinitions and Challenges in one namespace, reads them back, and
// plays the controllers a test control plane lacks (no kubelet, no Deployment controller): it marks a Deployment
// available, or gives it a pod whose container waits with a reason such as ErrImagePull. Used by the operator's
// integration and stress tests, the path test and the workload benchmark.
import {
  AppsV1Api, CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubeConfig, type V1Deployment,
} from '@kubernetes/client-node';
import { waitFor } from '@hexactf/testing/wait';
import {
  API_VERSION, CHALLENGE_PLURAL, DEFINITION_PLURAL, GROUP, LABEL_CHALLENGE_ID, LABEL_INSTANCE, LABEL_MANAGED_BY,
  LABEL_OWNER_UID, LABEL_USER, MANAGED_BY, VERSION, type Challenge, type ChallengeDefinition, type State,
} from '../operator/src/api/types.ts';

const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const MANAGED = `${LABEL_MANAGED_BY}=${MANAGED_BY}`;

export interface NewChallenge {
  user: string;
  /** Default '1'. */
  challengeId?: string;
  definition: string;
}

export class ChallengeClient {
  readonly kc: KubeConfig;
  readonly ns: string;
  readonly apps: AppsV1Api;
  readonly core: CoreV1Api;
  readonly custom: CustomObjectsApi;

  constructor(kc: KubeConfig, namespace: string) {
    this.kc = kc;
    this.ns = namespace;
    this.apps = kc.makeApiClient(AppsV1Api);
    this.core = kc.makeApiClient(CoreV1Api);
    this.custom = kc.makeApiClient(CustomObjectsApi);
  }

  private target(plural: string) {
    return { group: GROUP, version: VERSION, namespace: this.ns, plural };
  }

  // ---- custom resources

  async createDefinition(name: string, spec: ChallengeDefinition['spec']): Promise<ChallengeDefinition> {
    return (await this.custom.createNamespacedCustomObject({
      ...this.target(DEFINITION_PLURAL),
      body: { apiVersion: API_VERSION, kind: 'ChallengeDefinition', metadata: { name }, spec },
    })) as ChallengeDefinition;
  }

  /** Replaces a definition's spec (a merge patch: the components list is replaced as a whole). */
  async updateDefinition(name: string, spec: ChallengeDefinition['spec']): Promise<ChallengeDefinition> {
    return (await this.custom.patchNamespacedCustomObject(
      { ...this.target(DEFINITION_PLURAL), name, body: { spec } },
      merge,
    )) as ChallengeDefinition;
  }

  async createChallenge(name: string, o: NewChallenge): Promise<Challenge> {
    return (await this.custom.createNamespacedCustomObject({
      ...this.target(CHALLENGE_PLURAL),
      body: {
        apiVersion: API_VERSION, kind: 'Challenge',
        metadata: { name, labels: { [LABEL_CHALLENGE_ID]: o.challengeId ?? '1', [LABEL_USER]: o.user } },
        spec: { definition: o.definition },
      },
    })) as Challenge;
  }

  /** The Challenge, or undefined once the apiserver no longer has it. */
  async getChallenge(name: string): Promise<Challenge | undefined> {
    try {
      return (await this.custom.getNamespacedCustomObject({ ...this.target(CHALLENGE_PLURAL), name })) as Challenge;
    } catch (err) {
      if ((err as { code?: number }).code === 404) {
        return undefined;
      }
      throw err;
    }
  }

  async challenges(): Promise<Challenge[]> {
    return ((await this.custom.listNamespacedCustomObject(this.target(CHALLENGE_PLURAL))) as { items: Challenge[] }).items;
  }

  async deleteChallenge(name: string): Promise<void> {
    await this.custom.deleteNamespacedCustomObject({ ...this.target(CHALLENGE_PLURAL), name });
  }

  /** status.currentStatus.state as the operator last wrote it. */
  async state(name: string): Promise<State | undefined> {
    return (await this.getChallenge(name))?.status?.currentStatus?.state;
  }

  async waitForState(name: string, state: State, timeoutMs = 30_000): Promise<Challenge> {
    return waitFor(`challenge ${name} in state ${state}`, async () => {
      const ch = await this.getChallenge(name);
      return ch?.status?.currentStatus?.state === state ? ch : undefined;
    }, timeoutMs);
  }

  async waitForGone(name: string, timeoutMs = 30_000): Promise<void> {
    await waitFor(`challenge ${name} gone`, async () => (await this.getChallenge(name)) === undefined, timeoutMs);
  }

  // ---- children

  async deploymentsOf(ch: Challenge): Promise<V1Deployment[]> {
    return (await this.apps.listNamespacedDeployment({ namespace: this.ns, labelSelector: `${LABEL_OWNER_UID}=${ch.metadata.uid}` })).items;
  }

  async servicesOf(ch: Challenge) {
    return (await this.core.listNamespacedService({ namespace: this.ns, labelSelector: `${LABEL_OWNER_UID}=${ch.metadata.uid}` })).items;
  }

  /** Every Deployment the operator manages in the namespace. */
  async deployments(): Promise<V1Deployment[]> {
    return (await this.apps.listNamespacedDeployment({ namespace: this.ns, labelSelector: MANAGED })).items;
  }

  /** Every Service the operator manages in the namespace. */
  async services() {
    return (await this.core.listNamespacedService({ namespace: this.ns, labelSelector: MANAGED })).items;
  }

  async allChildren() {
    const [deployments, services] = await Promise.all([this.deployments(), this.services()]);
    return [...deployments, ...services];
  }

  /** Waits until the operator has created exactly `count` Deployments for the Challenge, and returns them. */
  async waitForDeployments(name: string, count: number, timeoutMs = 30_000): Promise<V1Deployment[]> {
    return waitFor(`${count} deployment(s) of ${name}`, async () => {
      const ch = await this.getChallenge(name);
      const ds = ch ? await this.deploymentsOf(ch) : [];
      return ds.length === count ? ds : undefined;
    }, timeoutMs);
  }

  // ---- playing the missing controllers

  private async deployment(d: V1Deployment | string): Promise<V1Deployment> {
    return typeof d === 'string' ? this.apps.readNamespacedDeployment({ name: d, namespace: this.ns }) : d;
  }

  /** Plays the Deployment controller: every replica of the Deployment available. */
  async markAvailable(deployment: V1Deployment | string): Promise<void> {
    const d = await this.deployment(deployment);
    const n = d.spec?.replicas ?? 1;
    await this.apps.patchNamespacedDeploymentStatus({
      name: d.metadata!.name!, namespace: this.ns,
      body: { status: { observedGeneration: d.metadata?.generation, replicas: n, updatedReplicas: n, readyReplicas: n, availableReplicas: n } },
    }, merge);
  }

  /** Marks every Deployment of the Challenge available, once the operator has created `count` of them. */
  async markAllAvailable(name: string, count: number): Promise<void> {
    for (const d of await this.waitForDeployments(name, count)) {
      await this.markAvailable(d);
    }
  }

  /**
   * Plays the garbage collector: deletes the pods of a Deployment that is gone (in a cluster, the Deployment's
   * ReplicaSet and then its pods go after it). The operator deletes an instance's NetworkPolicy, and so finishes
   * the deletion, only once its pods are gone.
   */
  async collectPodsOf(deployment: string): Promise<void> {
    const pods = await this.core.listNamespacedPod({ namespace: this.ns, labelSelector: `${LABEL_INSTANCE}=${deployment}` });
    for (const pod of pods.items) {
      await this.core.deleteNamespacedPod({ name: pod.metadata!.name!, namespace: this.ns, gracePeriodSeconds: 0 })
        .catch((err: { code?: number }) => {
          if (err.code !== 404) {
            throw err;
          }
        });
    }
  }

  /** collectPodsOf for every pod of the operator's whose Deployment is gone. */
  async collectGarbage(): Promise<void> {
    const [pods, deployments] = await Promise.all([
      this.core.listNamespacedPod({ namespace: this.ns, labelSelector: MANAGED }),
      this.deployments(),
    ]);
    const alive = new Set(deployments.map((d) => d.metadata!.name!));
    const instances = pods.items.map((p) => p.metadata?.labels?.[LABEL_INSTANCE] ?? '');
    for (const name of new Set(instances.filter((n) => n && !alive.has(n)))) {
      await this.collectPodsOf(name);
    }
  }

  /** Plays the kubelet: a pod of the Deployment whose first container waits with `reason` (e.g. ErrImagePull). */
  async createWaitingPod(deployment: V1Deployment | string, reason: string, message = `${reason} for test`): Promise<void> {
    const d = await this.deployment(deployment);
    const tmpl = d.spec!.template;
    const podName = `${d.metadata!.name}-pod`;
    await this.core.createNamespacedPod({
      namespace: this.ns,
      body: { metadata: { name: podName, labels: tmpl.metadata?.labels, annotations: tmpl.metadata?.annotations }, spec: tmpl.spec! },
    });
    const container = tmpl.spec!.containers[0];
    await this.core.patchNamespacedPodStatus({
      name: podName, namespace: this.ns,
      body: {
        status: {
          phase: 'Pending',
          containerStatuses: [{
            name: container.name, image: container.image!, imageID: '', ready: false, restartCount: 0,
            state: { waiting: { reason, message } },
          }],
        },
      },
    }, merge);
  }
}
