// The Challenge metric families as pure functions of objects (as kube-state-metrics' family generators): which
// series a Challenge and a ChallengeDefinition produce, as exposition text. Names, labels and state codes are the
// metric contract's (@hexactf/contract). challenge-collector.ts keeps this text between scrapes; to add a series
// of a Challenge or a definition, add it here (and to test/unit/challenge-families.test.ts).
import {
  CATEGORY_LABEL,
  DEFINITION_LABEL,
  INFO_METRIC,
  REQUESTS_METRIC,
  REQUEST_LABELS,
  REQUEST_RESOURCES,
  STATE_CODES,
  STATE_NAMES,
  STATUS_HELP,
  STATUS_LABELS,
  STATUS_METRIC,
  isStateName,
  type RequestResource,
} from '@hexactf/contract';
import { parseQuantity } from '../api/quantity.ts';
import { LABEL_CHALLENGE_ID, LABEL_USER, type Challenge, type ChallengeDefinition } from '../api/types.ts';
import { escapeLabelValue, formatValue, header, labelSet } from './exposition.ts';
import type { SeriesIdentity } from './series-state.ts';

/** The values of a Challenge's four status labels. */
export function seriesIdentity(ch: Challenge): SeriesIdentity {
  const l = ch.metadata.labels ?? {};
  return {
    namespace: ch.metadata.namespace ?? '',
    name: ch.metadata.name,
    challengeId: l[LABEL_CHALLENGE_ID] ?? '',
    user: l[LABEL_USER] ?? '',
  };
}

/** The gauge value; a state that is not ours (the original operator's None or Creating, say) counts as Pending. */
export function stateValue(ch: Challenge): number {
  if (ch.metadata.deletionTimestamp) {
    return STATE_CODES.Deleted;
  }
  const s: unknown = ch.status?.currentStatus?.state;
  return isStateName(s) ? STATE_CODES[s] : STATE_CODES.Pending;
}

/** ' <code>\n' per state code, the end of a status line. */
const VALUE_SUFFIX: Record<number, string> = Object.fromEntries(
  STATE_NAMES.map((s) => [STATE_CODES[s], ` ${STATE_CODES[s]}\n`])
);
/** What goes before each status label's value: the label set opens with the first, the others follow a value. */
const LABEL_OPEN = {
  challengeId: `{${STATUS_LABELS.challengeId}="`,
  challengeName: `",${STATUS_LABELS.challengeName}="`,
  username: `",${STATUS_LABELS.username}="`,
  namespace: `",${STATUS_LABELS.namespace}="`,
} as const;

/** The status label set, `{challenge_id="..",...}`. */
export function statusLabels(id: SeriesIdentity): string {
  // A fixed template is several times faster than a generic loop.
  return (
    LABEL_OPEN.challengeId +
    escapeLabelValue(id.challengeId) +
    LABEL_OPEN.challengeName +
    escapeLabelValue(id.name) +
    LABEL_OPEN.username +
    escapeLabelValue(id.user) +
    LABEL_OPEN.namespace +
    escapeLabelValue(id.namespace) +
    '"}'
  );
}

export const STATUS_HEADER = header(STATUS_METRIC, STATUS_HELP, 'gauge');

/** challenge_resource_status of a cached Challenge. */
export function statusLine(ch: Challenge): string {
  return STATUS_METRIC + statusLabels(seriesIdentity(ch)) + VALUE_SUFFIX[stateValue(ch)];
}

/** challenge_resource_status of a deleted Challenge no longer cached (`labels`: its statusLabels()). */
export function deletedStatusLine(labels: string): string {
  return STATUS_METRIC + labels + VALUE_SUFFIX[STATE_CODES.Deleted];
}

export const INFO_HEADER = header(
  INFO_METRIC,
  'One series per live Challenge with its definition and category.',
  'gauge'
);

/** challenge_info of a live Challenge (none for one being deleted); `def` names the category. */
export function infoLine(ch: Challenge, def: ChallengeDefinition | undefined): string {
  if (ch.metadata.deletionTimestamp) {
    return '';
  }
  return (
    INFO_METRIC +
    statusLabels(seriesIdentity(ch)).slice(0, -1) +
    `,${DEFINITION_LABEL}="${escapeLabelValue(ch.spec?.definition ?? '')}",${CATEGORY_LABEL}="${escapeLabelValue(def?.spec?.category ?? '')}"} 1\n`
  );
}

/** The challenge_definition_requests family (header and lines) of these definitions. */
export function requestsFamily(defs: ChallengeDefinition[]): string {
  let text = header(
    REQUESTS_METRIC,
    'Resources one instance of a definition requests (all components and replicas): cpu in cores, memory in bytes.',
    'gauge'
  );
  for (const def of defs) {
    const amounts = definitionRequests(def);
    const base = [def.metadata.namespace ?? '', def.metadata.name, def.spec?.category ?? ''];
    for (const resource of REQUEST_RESOURCES) {
      text +=
        REQUESTS_METRIC + labelSet(REQUEST_LABELS, [...base, resource]) + ' ' + formatValue(amounts[resource]) + '\n';
    }
  }
  return text;
}

/** Requests of one instance; a container with limits but no requests is counted at its limits (as Kubernetes defaults it). */
export function definitionRequests(def: ChallengeDefinition): Record<RequestResource, number> {
  let cpu = 0;
  let memory = 0;
  for (const comp of def.spec?.components ?? []) {
    const replicas = comp.deployment?.spec?.replicas ?? 1;
    const spec = comp.deployment?.spec?.template?.spec;
    for (const c of spec?.containers ?? []) {
      const req = c.resources?.requests ?? {};
      const lim = c.resources?.limits ?? {};
      cpu += replicas * (parseQuantity(req.cpu ?? lim.cpu) ?? 0);
      memory += replicas * (parseQuantity(req.memory ?? lim.memory) ?? 0);
    }
  }
  return { cpu: Math.round(cpu * 1e6) / 1e6, memory: Math.round(memory) };
}
