import { MappingType, type ValueMapping } from '@grafana/data';
import { STATE_CODES, STATE_NAMES, STATUS_LABELS, type RequestResource, type StateName } from '@hexactf/contract';

/**
 * The app's side of the metric contract. Names, label names, state codes and rule names come from the contract
 * package (@hexactf/contract, shared with the operator, the chart's rules tests and the benches) and are re-exported
 * here; what only Grafana needs (colours, value mappings, window choices, units) is defined here.
 */
export {
  CATEGORY_LABEL,
  CHALLENGE_CONTROLLER,
  CONTROLLER_LABEL,
  CONTROLLER_METRICS,
  DEFINITION_LABEL,
  INFO_METRIC,
  LEGACY_CHALLENGE_ID_LABEL,
  LIFETIME_METRIC,
  NO_STATE,
  RECORDING_RULES,
  REPLICA_OWN_LABELS,
  REQUESTS_METRIC,
  REQUEST_RESOURCES,
  RESOURCE_LABEL,
  STATE_RULE_LABEL,
  STATUS_METRIC,
  TIME_TO_RUNNING_METRIC,
  TRANSITIONS_METRIC,
  type LabelNames,
  type LabelRole,
  type RequestResource,
} from '@hexactf/contract';

/** The operator's label names (the app's default settings; configurable, e.g. the original operator's challeng_id). */
export const DEFAULT_LABELS = STATUS_LABELS;

/** What the queries put in `category` when a definition has none, so the output label is always present. */
export const UNCATEGORIZED = 'uncategorized';

/** Units of `challenge_definition_requests` per resource (Grafana unit ids). */
export const RESOURCE_UNITS: Readonly<Record<RequestResource, string>> = Object.freeze({
  cpu: 'short',
  memory: 'bytes',
});

/** The gauge's values (the contract's state codes, as an enum for the app's code). */
export enum ChallengeState {
  Pending = STATE_CODES.Pending,
  Running = STATE_CODES.Running,
  Deleted = STATE_CODES.Deleted,
  Error = STATE_CODES.Error,
}
// Fails to compile when the contract gains or loses a state the enum does not list.
type SameKeys<A, B> = [Exclude<A, B>, Exclude<B, A>] extends [never, never] ? true : never;
const enumMatchesContract: SameKeys<keyof typeof ChallengeState, StateName> = true;
void enumMatchesContract;

/** One fixed colour per state, a Grafana named colour (resolved by the theme). */
const STATE_COLORS: Readonly<Record<StateName, string>> = Object.freeze({
  Pending: 'yellow',
  Running: 'green',
  Deleted: 'blue',
  Error: 'red',
});

export interface StateInfo {
  value: ChallengeState;
  /** Display name (panel overrides, value mappings). */
  name: string;
  /** One fixed colour per state, a Grafana named colour (resolved by the theme). */
  color: string;
}

/** All states in gauge-value order. */
export const STATES: readonly StateInfo[] = Object.freeze(
  STATE_NAMES.map((name) => ({ value: ChallengeState[name], name, color: STATE_COLORS[name] }))
);

export function stateInfo(state: ChallengeState): StateInfo {
  const info = STATES.find((s) => s.value === state);
  if (!info) {
    throw new Error(`unknown challenge state ${state}`);
  }
  return info;
}

/** Value mappings 0 Pending, 1 Running, 2 Deleted, 3 Error, each with its state's colour (the HexaCTF write-up's matrix). */
export function stateValueMappings(): ValueMapping[] {
  const options: Record<string, { text: string; color: string; index: number }> = {};
  STATES.forEach((s, index) => {
    options[String(s.value)] = { text: s.name, color: s.color, index };
  });
  return [{ type: MappingType.ValueToText, options }];
}

/** The `$window` choices (the HexaCTF write-up used 2h in its post and 6h during the event). */
export const WINDOW_CHOICES = ['30m', '1h', '2h', '6h', '12h', '24h'] as const;
export type WindowChoice = (typeof WINDOW_CHOICES)[number];
export const DEFAULT_WINDOW: WindowChoice = '2h';

export function isWindowChoice(value: unknown): value is WindowChoice {
  return typeof value === 'string' && (WINDOW_CHOICES as readonly string[]).includes(value);
}

/**
 * The operator keeps a Deleted series for `--deleted-series-retention` (the contract's
 * DEFAULT_DELETED_SERIES_RETENTION_SECONDS by default) after the Challenge is gone, then removes it. A deletion whose series has been 2 for longer than this has not finished: retention plus a
 * finalizer's normal run plus a scrape interval fit well inside it.
 */
export const DEFAULT_STUCK_DELETION_AFTER = '5m';
