// The few writes the controller makes, on top of client-node. Content types are always explicit: client-node
// sends JSON-patch by default, which is not what a status merge needs.
import {
  CustomObjectsApi, KubernetesObjectApi, PatchStrategy, setHeaderOptions, type KubeConfig,
} from '@kubernetes/client-node';
import { CHALLENGES } from '../api/resources.ts';
import { FIELD_MANAGER, type Challenge, type ChallengeStatus, type KubeObject } from '../api/types.ts';
import { isNotFound } from './errors.ts';

export interface ChildRef {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
}

export class KubeClient {
  private readonly objects: KubernetesObjectApi;
  private readonly custom: CustomObjectsApi;

  constructor(kc: KubeConfig) {
    this.objects = KubernetesObjectApi.makeApiClient(kc);
    this.custom = kc.makeApiClient(CustomObjectsApi);
  }

  /** Server-side apply with force: creates the child or restores every field we own after someone edited it. */
  async apply<T extends KubeObject>(obj: T): Promise<T> {
    return (await this.objects.patch(
      obj as any,
      undefined,
      undefined,
      FIELD_MANAGER,
      true,
      PatchStrategy.ServerSideApply,
    )) as T;
  }

  /**
   * Deletes a child; background propagation so nothing waits on a garbage collector. Gone already is fine. With
   * `uid`, only that very object is deleted (a precondition): a same-name object that replaced it is left alone.
   */
  async deleteChild(ref: ChildRef, uid?: string): Promise<void> {
    try {
      await this.objects.delete(
        { apiVersion: ref.apiVersion, kind: ref.kind, metadata: { name: ref.name, namespace: ref.namespace } },
        undefined,
        undefined,
        undefined,
        undefined,
        'Background',
        uid ? { preconditions: { uid } } : undefined,
      );
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  /** The child as the apiserver has it now, or undefined when it is gone. */
  async read(ref: ChildRef): Promise<KubeObject | undefined> {
    try {
      return (await this.objects.read({ apiVersion: ref.apiVersion, kind: ref.kind, metadata: { name: ref.name, namespace: ref.namespace } })) as KubeObject;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /**
   * One merge patch on the status subresource. resourceVersion makes it optimistic: a stale view gets 409,
   * which the controller treats as "requeue", never as an error state.
   */
  async patchChallengeStatus(ch: Challenge, status: ChallengeStatus): Promise<Challenge> {
    return (await this.custom.patchNamespacedCustomObjectStatus(
      {
        group: CHALLENGES.group,
        version: CHALLENGES.version,
        namespace: ch.metadata.namespace!,
        plural: CHALLENGES.plural,
        name: ch.metadata.name,
        body: { metadata: { resourceVersion: ch.metadata.resourceVersion }, status: nullMissing(ch.status ?? {}, status) },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    )) as Challenge;
  }

  /** Replaces the finalizer list, guarded by resourceVersion (409 when someone else changed the object). */
  async setFinalizers(ch: Challenge, finalizers: string[]): Promise<Challenge> {
    return (await this.custom.patchNamespacedCustomObject(
      {
        group: CHALLENGES.group,
        version: CHALLENGES.version,
        namespace: ch.metadata.namespace!,
        plural: CHALLENGES.plural,
        name: ch.metadata.name,
        body: { metadata: { resourceVersion: ch.metadata.resourceVersion, finalizers } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    )) as Challenge;
  }

  async deleteChallenge(ch: Challenge): Promise<void> {
    try {
      await this.custom.deleteNamespacedCustomObject({
        group: CHALLENGES.group,
        version: CHALLENGES.version,
        namespace: ch.metadata.namespace!,
        plural: CHALLENGES.plural,
        name: ch.metadata.name,
        body: { preconditions: { uid: ch.metadata.uid } },
      });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}

/** Merge patch: a key present before and absent now must be sent as null to be removed. */
function nullMissing(before: Record<string, any>, after: Record<string, any>): Record<string, any> {
  const out: Record<string, any> = { ...after };
  for (const k of Object.keys(before)) if (!(k in after)) out[k] = null;
  return out;
}
