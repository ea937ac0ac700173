// The few writes the controller makes, over kube/rest.ts. Content types are always explicit: server-side apply
// for children, merge patch for the Challenge's status and finalizers.
import { CHALLENGES, DEPLOYMENTS, NETWORK_POLICIES, SERVICES, apiVersionOf } from '../api/resources.ts';
import { FIELD_MANAGER, type Challenge, type ChallengeStatus, type KubeObject } from '../api/types.ts';
import { isNotFound } from './errors.ts';
import type { RestClient } from './rest.ts';

export interface ChildRef {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
}

const MERGE_PATCH = 'application/merge-patch+json';
const APPLY_PATCH = 'application/apply-patch+yaml'; // JSON is YAML

/** The kinds the operator writes, by apiVersion/kind: their resource names. */
const PLURALS: Record<string, string> = Object.fromEntries(
  [DEPLOYMENTS, SERVICES, NETWORK_POLICIES, CHALLENGES].map((ref) => [`${apiVersionOf(ref)}/${ref.kind}`, ref.plural])
);

function objectPath(ref: ChildRef): string {
  const plural = PLURALS[`${ref.apiVersion}/${ref.kind}`];
  if (!plural) {
    throw new Error(`no resource known for ${ref.apiVersion} ${ref.kind}`);
  }
  const group = ref.apiVersion.includes('/') ? `/apis/${ref.apiVersion}` : `/api/${ref.apiVersion}`;
  return `${group}/namespaces/${encodeURIComponent(ref.namespace)}/${plural}/${encodeURIComponent(ref.name)}`;
}

const challengePath = (ch: Challenge) =>
  objectPath({
    apiVersion: apiVersionOf(CHALLENGES),
    kind: CHALLENGES.kind,
    namespace: ch.metadata.namespace!,
    name: ch.metadata.name,
  });

export class KubeClient {
  private readonly rest: RestClient;

  constructor(rest: RestClient) {
    this.rest = rest;
  }

  /**
   * Server-side apply: creates the child or (with force, the default) restores every field we own after someone
   * edited it. Without force, fields another manager set differently are a 409 instead of being taken over.
   */
  async apply<T extends KubeObject>(obj: T, force = true): Promise<T> {
    const path = objectPath({
      apiVersion: obj.apiVersion!,
      kind: obj.kind!,
      namespace: obj.metadata.namespace!,
      name: obj.metadata.name,
    });
    return this.rest.request<T>('PATCH', path, {
      query: { fieldManager: FIELD_MANAGER, force },
      body: obj,
      contentType: APPLY_PATCH,
    });
  }

  /**
   * Deletes a child; background propagation so nothing waits on a garbage collector. Gone already is fine. With
   * `uid`, only that very object is deleted (a precondition): a same-name object that replaced it is left alone.
   */
  async deleteChild(ref: ChildRef, uid?: string): Promise<void> {
    try {
      await this.rest.request('DELETE', objectPath(ref), {
        body: {
          apiVersion: 'v1',
          kind: 'DeleteOptions',
          propagationPolicy: 'Background',
          ...(uid ? { preconditions: { uid } } : {}),
        },
      });
    } catch (err) {
      if (!isNotFound(err)) {
        throw err;
      }
    }
  }

  /** The child as the apiserver has it now, or undefined when it is gone. */
  async read(ref: ChildRef): Promise<KubeObject | undefined> {
    try {
      return await this.rest.get<KubeObject>(objectPath(ref));
    } catch (err) {
      if (isNotFound(err)) {
        return undefined;
      }
      throw err;
    }
  }

  /**
   * One merge patch on the status subresource. resourceVersion makes it optimistic: a stale view gets 409,
   * which the controller treats as "requeue", never as an error state.
   */
  async patchChallengeStatus(ch: Challenge, status: ChallengeStatus): Promise<Challenge> {
    return this.rest.request<Challenge>('PATCH', `${challengePath(ch)}/status`, {
      body: {
        metadata: { resourceVersion: ch.metadata.resourceVersion },
        status: nullMissing(ch.status ?? {}, status),
      },
      contentType: MERGE_PATCH,
    });
  }

  /** Replaces the finalizer list, guarded by resourceVersion (409 when someone else changed the object). */
  async setFinalizers(ch: Challenge, finalizers: string[]): Promise<Challenge> {
    return this.rest.request<Challenge>('PATCH', challengePath(ch), {
      body: { metadata: { resourceVersion: ch.metadata.resourceVersion, finalizers } },
      contentType: MERGE_PATCH,
    });
  }

  async deleteChallenge(ch: Challenge): Promise<void> {
    try {
      await this.rest.request('DELETE', challengePath(ch), {
        body: { apiVersion: 'v1', kind: 'DeleteOptions', preconditions: { uid: ch.metadata.uid } },
      });
    } catch (err) {
      if (!isNotFound(err)) {
        throw err;
      }
    }
  }
}

/** Merge patch: a key present before and absent now must be sent as null to be removed. */
function nullMissing(before: Record<string, any>, after: Record<string, any>): Record<string, any> {
  const out: Record<string, any> = { ...after };
  for (const k of Object.keys(before)) {
    if (!(k in after)) {
      out[k] = null;
    }
  }
  return out;
}
