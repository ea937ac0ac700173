import {
  DEFAULT_LABELS,
  DEFAULT_WINDOW,
  STATUS_METRIC,
  isWindowChoice,
  type LabelNames,
  type WindowChoice,
} from '../metric/contract';

/** The uid of the Prometheus datasource provisioned under provisioning/datasources/. */
export const DEFAULT_DATASOURCE_UID = 'hexactf-prometheus';

/** The app's jsonData as Grafana stores it (every field optional: an unconfigured app has `{}`). */
export interface AppSettings {
  /** Prometheus datasource the pages start with (the datasource picker can change it per visit). */
  datasourceUid?: string;
  /** Default of the `$window` variable. */
  defaultWindow?: string;
  /** Name of the state gauge. */
  metricName?: string;
  challengeIdLabel?: string;
  challengeNameLabel?: string;
  usernameLabel?: string;
  namespaceLabel?: string;
}

/** Settings with every default filled in and every name valid: what the pages and query builders use. */
export interface ResolvedSettings {
  datasourceUid: string;
  defaultWindow: WindowChoice;
  metricName: string;
  labels: LabelNames;
}

export const DEFAULT_SETTINGS: Readonly<ResolvedSettings> = Object.freeze({
  datasourceUid: DEFAULT_DATASOURCE_UID,
  defaultWindow: DEFAULT_WINDOW,
  metricName: STATUS_METRIC,
  labels: DEFAULT_LABELS,
});

// Prometheus' own name grammar. Names go into PromQL unquoted, so anything else is refused, never escaped.
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export const isValidMetricName = (name: string) => METRIC_NAME.test(name);
/** `__`-prefixed names are reserved for Prometheus' internal use. */
export const isValidLabelName = (name: string) => LABEL_NAME.test(name) && !name.startsWith('__');

const LABEL_FIELDS: ReadonlyArray<[keyof LabelNames, keyof AppSettings]> = [
  ['challengeId', 'challengeIdLabel'],
  ['challengeName', 'challengeNameLabel'],
  ['username', 'usernameLabel'],
  ['namespace', 'namespaceLabel'],
];

export type SettingsErrors = Partial<Record<keyof AppSettings, string>>;

/** Problems with a settings draft, by field (empty fields are fine: they mean "the default"). */
export function validateSettings(settings: AppSettings): SettingsErrors {
  const errors: SettingsErrors = {};
  const metric = settings.metricName?.trim();
  if (metric && !isValidMetricName(metric)) {
    errors.metricName = 'Not a Prometheus metric name ([a-zA-Z_:][a-zA-Z0-9_:]*).';
  }
  if (settings.defaultWindow && !isValidWindow(settings.defaultWindow)) {
    errors.defaultWindow = 'Choose one of the window choices.';
  }
  const seen = new Map<string, keyof AppSettings>();
  for (const [role, field] of LABEL_FIELDS) {
    const name = (settings[field] as string | undefined)?.trim() || DEFAULT_LABELS[role];
    if (!isValidLabelName(name)) {
      errors[field] = 'Not a Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*, not starting with __).';
    } else if (seen.has(name)) {
      errors[field] = `Same label as ${seen.get(name)}: each role needs its own label.`;
    } else {
      seen.set(name, field);
    }
  }
  return errors;
}

const isValidWindow = (w: string) => isWindowChoice(w);

/**
 * Fills defaults and drops invalid values (a hand-edited or provisioned jsonData can hold anything), so every name
 * that reaches a query is a valid Prometheus name. Duplicate label names fall back to the defaults.
 */
export function resolveSettings(jsonData?: AppSettings | null): ResolvedSettings {
  const settings = jsonData ?? {};
  const errors = validateSettings(settings);
  const pick = (field: keyof AppSettings, fallback: string) => {
    const value = (settings[field] as string | undefined)?.trim();
    return value && !errors[field] ? value : fallback;
  };
  const labels = {} as LabelNames;
  for (const [role, field] of LABEL_FIELDS) {
    labels[role] = pick(field, DEFAULT_LABELS[role]);
  }
  // A valid name can still collide with a default another role fell back to.
  if (new Set(Object.values(labels)).size !== LABEL_FIELDS.length) {
    Object.assign(labels, DEFAULT_LABELS);
  }
  const window = settings.defaultWindow;
  return {
    datasourceUid: settings.datasourceUid?.trim() || DEFAULT_DATASOURCE_UID,
    defaultWindow: isWindowChoice(window) ? window : DEFAULT_WINDOW,
    metricName: pick('metricName', STATUS_METRIC),
    labels,
  };
}

/** Every setting filled in, flat as jsonData stores it. */
export type SettingsJsonData = Required<AppSettings> & Pick<ResolvedSettings, 'defaultWindow'>;

/** jsonData to save for resolved settings (what the config page writes and provisioning ships). */
export function toJsonData(settings: ResolvedSettings): SettingsJsonData {
  return {
    datasourceUid: settings.datasourceUid,
    defaultWindow: settings.defaultWindow,
    metricName: settings.metricName,
    challengeIdLabel: settings.labels.challengeId,
    challengeNameLabel: settings.labels.challengeName,
    usernameLabel: settings.labels.username,
    namespaceLabel: settings.labels.namespace,
  };
}
