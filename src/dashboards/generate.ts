/**
 * The classic dashboard the plugin ships (plugin.json includes, type dashboard) for users who want to edit panels:
 * the Overview's state panels and the Users x Challenges matrix, built from the app's own query builders, state
 * styles and matrix transformations with the default settings. `npm run dashboard:generate` writes it to
 * challenges.json; a test fails when the committed file is stale.
 */
import { DataTransformerID, FieldMatcherID, FieldType } from '@grafana/data';
import {
  ChallengeState,
  DEFAULT_WINDOW,
  STATES,
  WINDOW_CHOICES,
  stateInfo,
  stateValueMappings,
  type StateInfo,
} from '../metric/contract';
import { challengeStateCountQuery, stateCountOverTimeQuery, stateCountQuery } from '../queries/overview';
import { matrixPivotLabels, matrixQuery } from '../queries/users';
import { displayName } from '../settings/labelRoles';
import { DEFAULT_SETTINGS } from '../settings/settings';
import { matrixRowField, matrixTransformations } from '../transforms/matrix';
import { COUNTS_OVER_TIME_DESCRIPTION, VIEW_STATE_DESCRIPTION } from '../pages/shared/descriptions';
import { instantSeries, instantTable, rangeSeries } from '../data/promQuery';
import { STATE_CELL_OPTIONS, STATE_STAT_OPTIONS, stateColor, stateRefId } from '../pages/shared/stateStyles';

export const DASHBOARD_UID = 'hexactf-challenges';
export const DASHBOARD_FILE = 'challenges.json';
/** The dashboard's variables: its own names, `$window` as the queries write it. */
export const DATASOURCE_VARIABLE = 'datasource';
export const WINDOW_VARIABLE_NAME = 'window';

const DATASOURCE = { type: 'prometheus', uid: `\${${DATASOURCE_VARIABLE}}` };
const settings = DEFAULT_SETTINGS;

interface GridPos {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** The pages' stateOverrides (stateStyles.ts) as panel JSON: display name and fixed colour per state. */
function stateOverrides(states: readonly StateInfo[], matchBy: 'query' | 'name') {
  return states.map((state) => ({
    matcher:
      matchBy === 'query'
        ? { id: FieldMatcherID.byFrameRefID, options: stateRefId(state) }
        : { id: FieldMatcherID.byName, options: state.name },
    properties: [
      { id: 'displayName', value: state.name },
      { id: 'color', value: stateColor(state) },
    ],
  }));
}

function panel(id: number, type: string, title: string, description: string, gridPos: GridPos) {
  return { id, type, title, description, gridPos, datasource: DATASOURCE };
}

/** One stat per state, coloured background (the Overview's first row). */
function stateStat(state: StateInfo, index: number) {
  return {
    ...panel(1 + index, 'stat', state.name, VIEW_STATE_DESCRIPTION, { x: 6 * index, y: 0, w: 6, h: 5 }),
    targets: [{ datasource: DATASOURCE, ...instantSeries(stateRefId(state), stateCountQuery(settings, state.value)) }],
    options: STATE_STAT_OPTIONS,
    fieldConfig: { defaults: { noValue: '0' }, overrides: stateOverrides([state], 'query') },
  };
}

const PER_CHALLENGE_STATES = [stateInfo(ChallengeState.Running), stateInfo(ChallengeState.Error)];

/** Running and Error instances per challenge: two instant tables merged on the challenge id. */
function perChallengeCounts(id: number) {
  const challenge = displayName('challengeId');
  const renameByName: Record<string, string> = { [settings.labels.challengeId]: challenge };
  for (const state of PER_CHALLENGE_STATES) {
    renameByName[`Value #${stateRefId(state)}`] = state.name;
  }
  return {
    ...panel(
      id,
      'barchart',
      'Running and Error instances per challenge',
      `Per challenge id. ${VIEW_STATE_DESCRIPTION}`,
      {
        x: 0,
        y: 5,
        w: 12,
        h: 9,
      }
    ),
    targets: PER_CHALLENGE_STATES.map((state) => ({
      datasource: DATASOURCE,
      ...instantTable(stateRefId(state), challengeStateCountQuery(settings, state.value)),
    })),
    transformations: [
      { id: DataTransformerID.merge, options: {} },
      { id: DataTransformerID.organize, options: { excludeByName: { Time: true }, renameByName, indexByName: {} } },
    ],
    options: { xField: challenge },
    fieldConfig: {
      defaults: { noValue: 'No challenge instances in the window' },
      overrides: stateOverrides(PER_CHALLENGE_STATES, 'name'),
    },
  };
}

/** Instances per state at each step of the time range. */
function countsOverTime(id: number) {
  return {
    ...panel(id, 'timeseries', 'Instances per state over time', COUNTS_OVER_TIME_DESCRIPTION, {
      x: 12,
      y: 5,
      w: 12,
      h: 9,
    }),
    targets: STATES.map((state) => ({
      datasource: DATASOURCE,
      ...rangeSeries(stateRefId(state), stateCountOverTimeQuery(settings, state.value), state.name),
    })),
    fieldConfig: { defaults: { noValue: '0' }, overrides: stateOverrides(STATES, 'query') },
  };
}

/** The users x challenges matrix: cells named and coloured by state through the contract's value mappings. */
function matrix(id: number) {
  const pivot = matrixPivotLabels(settings.labels);
  return {
    ...panel(id, 'table', 'Users x Challenges', `A row per user, a column per challenge. ${VIEW_STATE_DESCRIPTION}`, {
      x: 0,
      y: 14,
      w: 24,
      h: 14,
    }),
    targets: [{ datasource: DATASOURCE, ...instantTable('A', matrixQuery(settings)) }],
    transformations: matrixTransformations(pivot),
    fieldConfig: {
      defaults: {},
      overrides: [
        {
          matcher: { id: FieldMatcherID.byType, options: FieldType.number },
          properties: [
            { id: 'mappings', value: stateValueMappings() },
            { id: 'custom.cellOptions', value: STATE_CELL_OPTIONS },
          ],
        },
        {
          matcher: { id: FieldMatcherID.byName, options: matrixRowField(pivot) },
          properties: [{ id: 'displayName', value: displayName('username') }],
        },
      ],
    },
  };
}

function variables() {
  return [
    {
      name: DATASOURCE_VARIABLE,
      label: 'Prometheus',
      type: 'datasource',
      query: 'prometheus',
      current: {},
      hide: 0,
    },
    {
      name: WINDOW_VARIABLE_NAME,
      label: 'Window',
      description: 'How far back the last state of each instance is looked up',
      type: 'custom',
      query: WINDOW_CHOICES.join(','),
      current: { text: DEFAULT_WINDOW, value: DEFAULT_WINDOW },
      options: WINDOW_CHOICES.map((choice) => ({ text: choice, value: choice, selected: choice === DEFAULT_WINDOW })),
      hide: 0,
    },
  ];
}

/** The dashboard JSON model (classic schema), as Grafana imports it. */
export function challengesDashboard() {
  const stats = STATES.map(stateStat);
  const next = stats.length + 1;
  return {
    uid: DASHBOARD_UID,
    title: 'HexaCTF Challenges',
    description:
      'Challenge instances per state and the users x challenges matrix (generated from the app; edit freely)',
    tags: ['hexactf', 'ctf'],
    editable: true,
    schemaVersion: 39,
    version: 1,
    time: { from: 'now-6h', to: 'now' },
    refresh: '1m',
    templating: { list: variables() },
    panels: [...stats, perChallengeCounts(next), countsOverTime(next + 1), matrix(next + 2)],
  };
}
