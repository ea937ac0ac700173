import { MappingType, type ValueMapping } from '@grafana/data';

/**
 * The operator's metric contract (DESIGN.md §1): one `challenge_resource_status` gauge series per Challenge, valued
 * with the Challenge's state. Everything here mirrors what the operator exports; the app only reads it.
 */

/** Default name of the state gauge (configurable in the app settings). */
export const STATUS_METRIC = 'challenge_resource_status';
/** `challenge_info{<the four labels>, definition, category} 1` per live Challenge (additive, new operator only). */
export const INFO_METRIC = 'challenge_info';
/** `challenge_definition_requests{namespace, definition, category, resource}`: cores / bytes one instance requests. */
export const REQUESTS_METRIC = 'challenge_definition_requests';

/** The four labels of the state gauge, by role. The values are label names, configurable in the app settings. */
export interface LabelNames {
  challengeId: string;
  challengeName: string;
  username: string;
  namespace: string;
}

/** The operator's label names. The seed's original operator spelled the first one `challeng_id`. */
export const DEFAULT_LABELS: Readonly<LabelNames> = Object.freeze({
  challengeId: 'challenge_id',
  challengeName: 'challenge_name',
  username: 'username',
  namespace: 'namespace',
});

/** Labels `challenge_info` and `challenge_definition_requests` add (fixed names, only the new operator has them). */
export const DEFINITION_LABEL = 'definition';
export const CATEGORY_LABEL = 'category';
export const RESOURCE_LABEL = 'resource';
/** What the queries put in `category` when a definition has none, so the output label is always present. */
export const UNCATEGORIZED = 'uncategorized';

export type RequestResource = 'cpu' | 'memory';
/** Units of `challenge_definition_requests` per resource (Grafana unit ids). */
export const RESOURCE_UNITS: Readonly<Record<RequestResource, string>> = Object.freeze({
  cpu: 'short',
  memory: 'bytes',
});

/** The gauge's values. */
export enum ChallengeState {
  Pending = 0,
  Running = 1,
  Deleted = 2,
  Error = 3,
}

export interface StateInfo {
  value: ChallengeState;
  /** Display name (panel overrides, value mappings). */
  name: string;
  /** One fixed colour per state, a Grafana named colour (resolved by the theme). */
  color: string;
}

/** All states in gauge-value order. */
export const STATES: readonly StateInfo[] = Object.freeze([
  { value: ChallengeState.Pending, name: 'Pending', color: 'yellow' },
  { value: ChallengeState.Running, name: 'Running', color: 'green' },
  { value: ChallengeState.Deleted, name: 'Deleted', color: 'blue' },
  { value: ChallengeState.Error, name: 'Error', color: 'red' },
]);

export function stateInfo(state: ChallengeState): StateInfo {
  const info = STATES.find((s) => s.value === state);
  if (!info) {
    throw new Error(`unknown challenge state ${state}`);
  }
  return info;
}

/** Value mappings 0 Pending, 1 Running, 2 Deleted, 3 Error, each with its state's colour (the seed's matrix). */
export function stateValueMappings(): ValueMapping[] {
  const options: Record<string, { text: string; color: string; index: number }> = {};
  STATES.forEach((s, index) => {
    options[String(s.value)] = { text: s.name, color: s.color, index };
  });
  return [{ type: MappingType.ValueToText, options }];
}

/** The `$window` choices (the seed used 2h in the post and 6h during the event). */
export const WINDOW_CHOICES = ['30m', '1h', '2h', '6h', '12h', '24h'] as const;
export type WindowChoice = (typeof WINDOW_CHOICES)[number];
export const DEFAULT_WINDOW: WindowChoice = '2h';

export function isWindowChoice(value: unknown): value is WindowChoice {
  return typeof value === 'string' && (WINDOW_CHOICES as readonly string[]).includes(value);
}

/**
 * The operator keeps a Deleted series for `--deleted-series-retention` (60s by default) after the Challenge is gone,
 * then removes it. A deletion whose series has been 2 for longer than this has not finished: retention plus a
 * finalizer's normal run plus a scrape interval fit well inside it.
 */
export const DEFAULT_STUCK_DELETION_AFTER = '5m';
