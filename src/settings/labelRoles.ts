import { DEFAULT_LABELS, type LabelRole } from '../metric/contract';

/**
 * The roles the state gauge's labels play, and everything the app attaches to each: its settings field, its filter
 * variable, its name on the pages, its default label name and its help text. Settings, the configuration page, the
 * query selectors, the filter variables and the table columns are all derived from this one table.
 *
 * One vocabulary: code names a role by its key here (`username`, `challengeId`, ...), filters included. Only the
 * filter variables keep their short names (`user`, `challenge`), so `var-user=...` URLs of existing pages still work.
 */
export type { LabelRole };

/** The app settings field (jsonData) that holds a role's label name. */
export type LabelSettingsField = `${LabelRole}Label`;

interface LabelRoleSpec {
  settingsField: LabelSettingsField;
  /** The page variable filtering on this label (also its `var-<name>` URL parameter); absent: not a filter. */
  filterVariable?: string;
  /** Column header, filter name and axis name on the pages. */
  displayName: string;
  /** The field's name on the configuration page. */
  settingLabel: string;
  /** The operator's label name, used when the setting is empty. */
  defaultLabel: string;
  /** Shown under the field on the configuration page. */
  help: string;
}

/** In the order the pages show the columns (namespace, user, challenge, name). */
export const LABEL_ROLES = {
  namespace: {
    settingsField: 'namespaceLabel',
    filterVariable: 'namespace',
    displayName: 'Namespace',
    settingLabel: 'Namespace label',
    defaultLabel: DEFAULT_LABELS.namespace,
    help: "The Challenge's namespace (exported_namespace when the scrape did not honor the operator's labels).",
  },
  username: {
    settingsField: 'usernameLabel',
    filterVariable: 'user',
    displayName: 'User',
    settingLabel: 'Username label',
    defaultLabel: DEFAULT_LABELS.username,
    help: 'The player an instance belongs to.',
  },
  challengeId: {
    settingsField: 'challengeIdLabel',
    filterVariable: 'challenge',
    displayName: 'Challenge',
    settingLabel: 'Challenge id label',
    defaultLabel: DEFAULT_LABELS.challengeId,
    help: 'The original HexaCTF operator spelled it challeng_id.',
  },
  challengeName: {
    settingsField: 'challengeNameLabel',
    displayName: 'Name',
    settingLabel: 'Challenge name label',
    defaultLabel: DEFAULT_LABELS.challengeName,
    help: "The Challenge object's name, one per instance.",
  },
} as const satisfies Record<LabelRole, LabelRoleSpec>;

/** Every role, in column order. */
export const ROLES = Object.keys(LABEL_ROLES) as readonly LabelRole[];

/** The roles a page can filter on. */
export type FilterRole = {
  [R in LabelRole]: (typeof LABEL_ROLES)[R] extends { filterVariable: string } ? R : never;
}[LabelRole];

export const FILTER_ROLES = ROLES.filter((r): r is FilterRole => 'filterVariable' in LABEL_ROLES[r]);

/** The page variable of a filter role. */
export const filterVariable = (role: FilterRole): string => LABEL_ROLES[role].filterVariable;

/** The name a role's label is shown under on the pages. */
export const displayName = (role: LabelRole): string => LABEL_ROLES[role].displayName;
