import {
  DEFAULT_LABELS,
  DEFAULT_WINDOW,
  STATUS_METRIC,
  isWindowChoice,
  type LabelNames,
  type WindowChoice,
} from '../metric/contract';
import { CLUSTER_ROLE, DEFAULT_CLUSTER_LABEL } from './clusterRole';
import { LABEL_ROLES, ROLES, type LabelSettingsField } from './labelRoles';
import { labelNameProblem, metricNameProblem } from './promqlNames';

/** The uid of the Prometheus datasource provisioned under provisioning/datasources/. */
export const DEFAULT_DATASOURCE_UID = 'hexactf-prometheus';

interface AppSettingsBase {
  /** Prometheus datasource the pages start with (the datasource picker can change it per visit). */
  datasourceUid?: string;
  /** Default of the `$window` variable. */
  defaultWindow?: string;
  /** Name of the state gauge. */
  metricName?: string;
  /** Name of the label telling clusters apart (clusterRole.ts); not one of the operator's labels. */
  clusterLabel?: string;
}
/** The app's jsonData (every field optional: an unconfigured app has `{}`); one label name field per role. */
export type AppSettings = AppSettingsBase & Partial<Record<LabelSettingsField, string>>;

/** Settings with every default filled in and every name valid: what the pages and query builders use. */
export interface ResolvedSettings {
  datasourceUid: string;
  defaultWindow: WindowChoice;
  metricName: string;
  labels: LabelNames;
  /** The cluster label (clusterRole.ts): in every `by`/`on` list, absent from a single Prometheus' series. */
  clusterLabel: string;
}

export const DEFAULT_SETTINGS: Readonly<ResolvedSettings> = Object.freeze({
  datasourceUid: DEFAULT_DATASOURCE_UID,
  defaultWindow: DEFAULT_WINDOW,
  metricName: STATUS_METRIC,
  labels: DEFAULT_LABELS,
  clusterLabel: DEFAULT_CLUSTER_LABEL,
});

export { isValidLabelName, isValidMetricName } from './promqlNames';

export type SettingsErrors = Partial<Record<keyof AppSettings, string>>;

/** Problems with a settings draft, by field (empty fields are fine: they mean "the default"). */
export function validateSettings(settings: AppSettings): SettingsErrors {
  const errors: SettingsErrors = {};
  const metric = settings.metricName?.trim();
  const metricProblem = metric ? metricNameProblem(metric) : undefined;
  if (metricProblem) {
    errors.metricName = metricProblem;
  }
  if (settings.defaultWindow && !isValidWindow(settings.defaultWindow)) {
    errors.defaultWindow = 'Choose one of the window choices.';
  }
  const names = LABEL_FIELDS.map((spec) => {
    const name = settings[spec.settingsField]?.trim() || spec.defaultLabel;
    return { spec, name, changed: name !== spec.defaultLabel };
  });
  names.forEach(({ spec, name, changed }, i) => {
    const field = spec.settingsField;
    // The defaults are distinct, so a clash always involves a changed field: that one is wrong (the later one when
    // both are changed), never a field left at its default.
    const taken = names.find((n, j) => j !== i && n.name === name && (!n.changed || j < i));
    const problem = labelNameProblem(name);
    if (problem) {
      errors[field] = problem;
    } else if (changed && taken) {
      const takenBy = taken.spec.settingLabel.toLowerCase();
      errors[field] = `Same label as the ${takenBy}: each role needs its own label.`;
    }
  });
  return errors;
}

/** Every label name field, as the configuration page lists them: the four roles in column order, then the cluster's. */
export const LABEL_FIELDS: ReadonlyArray<{
  settingsField: LabelSettingsField | typeof CLUSTER_ROLE.settingsField;
  defaultLabel: string;
  settingLabel: string;
  help: string;
}> = [
  ...ROLES.map((role) => LABEL_ROLES[role]),
  CLUSTER_ROLE,
];

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
  for (const role of ROLES) {
    labels[role] = pick(LABEL_ROLES[role].settingsField, LABEL_ROLES[role].defaultLabel);
  }
  let clusterLabel = pick(CLUSTER_ROLE.settingsField, DEFAULT_CLUSTER_LABEL);
  // A valid name can still collide with a default another role fell back to.
  if (new Set([...Object.values(labels), clusterLabel]).size !== ROLES.length + 1) {
    Object.assign(labels, DEFAULT_LABELS);
    clusterLabel = DEFAULT_CLUSTER_LABEL;
  }
  const window = settings.defaultWindow;
  return {
    datasourceUid: settings.datasourceUid?.trim() || DEFAULT_DATASOURCE_UID,
    defaultWindow: isWindowChoice(window) ? window : DEFAULT_WINDOW,
    metricName: pick('metricName', STATUS_METRIC),
    labels,
    clusterLabel,
  };
}

/** Every setting filled in, flat as jsonData stores it. */
export type SettingsJsonData = Required<AppSettings> & Pick<ResolvedSettings, 'defaultWindow'>;

/** jsonData to save for resolved settings (what the config page writes and provisioning ships). */
export function toJsonData(settings: ResolvedSettings): SettingsJsonData {
  const labelFields = Object.fromEntries(ROLES.map((role) => [LABEL_ROLES[role].settingsField, settings.labels[role]]));
  return {
    datasourceUid: settings.datasourceUid,
    defaultWindow: settings.defaultWindow,
    metricName: settings.metricName,
    ...(labelFields as Record<LabelSettingsField, string>),
    clusterLabel: settings.clusterLabel,
  };
}
