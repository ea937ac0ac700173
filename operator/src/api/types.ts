// Custom resource shapes (apps.hexactf.io/v1alpha1) and the constants shared by the controller and metrics.
// Validation lives in the CRDs (chart/crds/); these types describe what the operator reads and writes.
import type { StateName } from '@hexactf/contract';

export const GROUP = 'apps.hexactf.io';
export const VERSION = 'v1alpha1';
export const API_VERSION = `${GROUP}/${VERSION}`;
export const CHALLENGE_PLURAL = 'challenges';
export const DEFINITION_PLURAL = 'challengedefinitions';

export const LABEL_CHALLENGE_ID = 'apps.hexactf.io/challengeId';
export const LABEL_USER = 'apps.hexactf.io/user';
export const FINALIZER = 'challenge.hexactf.io/finalizer';

// Labels and annotations the operator puts on its children.
export const LABEL_MANAGED_BY = 'app.kubernetes.io/managed-by';
export const MANAGED_BY = 'hexactf-challenge-operator';
export const LABEL_INSTANCE = 'apps.hexactf.io/instance';
export const LABEL_COMPONENT = 'apps.hexactf.io/component';
/** UID of the owning Challenge: selects one instance's children (kubectl, tests); Challenge names may be too long for a label. */
export const LABEL_OWNER_UID = 'apps.hexactf.io/owner-uid';
/** Annotation, not a label: a Challenge name may be longer than a label value allows. */
export const ANNOTATION_CHALLENGE = 'apps.hexactf.io/challenge';

export const FIELD_MANAGER = 'hexactf-challenge-operator';

/** status.currentStatus.state; the gauge value of each is the metric contract's. */
export type State = StateName;

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string | Date;
  deletionTimestamp?: string | Date;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  ownerReferences?: OwnerReference[];
}

interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
}

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  observedGeneration?: number;
  lastTransitionTime: string;
  reason: string;
  message: string;
}

export interface ChallengeStatus {
  currentStatus?: { state?: State; errorMsg?: string };
  startedAt?: string;
  pendingSince?: string;
  endpoint?: number;
  isOne?: boolean;
  observedGeneration?: number;
  conditions?: Condition[];
}

export interface Challenge extends KubeObject {
  spec: { definition: string; namespace?: string };
  status?: ChallengeStatus;
}

interface ContainerSpec {
  name: string;
  image: string;
  resources?: { requests?: Record<string, string | number>; limits?: Record<string, string | number> };
  [key: string]: unknown;
}

interface ServicePort {
  name?: string;
  port: number;
  nodePort?: number;
  protocol?: string;
  targetPort?: number | string;
  [key: string]: unknown;
}

export interface Component {
  name: string;
  deployment: {
    spec: {
      replicas?: number;
      template: {
        metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
        spec: { containers: ContainerSpec[]; initContainers?: ContainerSpec[]; [key: string]: unknown };
      };
    };
  };
  service?: {
    metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
    spec: { type?: string; ports: ServicePort[]; [key: string]: unknown };
  };
}

export interface ChallengeDefinition extends KubeObject {
  spec: { isOne?: boolean; category?: string; components: Component[] };
}

/** Time fields come back as strings from watches and as Date from client-node's typed deserializer. */
export function timeMs(t: string | Date | undefined): number | undefined {
  if (t === undefined || t === null) {
    return undefined;
  }
  const ms = t instanceof Date ? t.getTime() : Date.parse(t);
  return Number.isNaN(ms) ? undefined : ms;
}

export function objectKey(obj: KubeObject): string {
  return obj.metadata.namespace ? `${obj.metadata.namespace}/${obj.metadata.name}` : obj.metadata.name;
}
