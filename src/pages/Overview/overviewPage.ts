import { DataTransformerID, type DataTransformerConfig } from '@grafana/data';
import {
  PanelBuilders,
  SceneAppPage,
  SceneDataTransformer,
  SceneFlexItem,
  SceneFlexLayout,
  type SceneFlexItemLike,
} from '@grafana/scenes';
import { ChallengeState, STATES, stateInfo } from '../../metric/contract';
import {
  challengeStateCountQuery,
  challengeStateCountsQuery,
  stateCountOverTimeQuery,
  stateCountQuery,
} from '../../queries/overview';
import { perChallengeStatesOperator, stateStatOperator } from '../../transforms/stateCounts';
import { displayName } from '../../settings/labelRoles';
import { NO_FILTERS, clusterLabelOf } from '../../queries/common';
import { perClusterColumnsOperator } from '../../transforms/clusterColumn';
import type { ResolvedSettings } from '../../settings/settings';
import { ROUTES } from '../../constants';
import { prefixRoute } from '../../utils/utils.routing';
import { FilteredQueryRunner } from '../../data/FilteredQueryRunner';
import { pageScene } from '../shared/pageScene';
import { instantSeries, instantTable, rangeSeries } from '../../data/promQuery';
import { withStandaloneForm } from '../shared/inspect/standaloneForm';
import { COUNTS_OVER_TIME_DESCRIPTION, VIEW_STATE_DESCRIPTION } from '../shared/descriptions';
import { NO_DATA_STAT_MAPPING, STATE_STAT_OPTIONS, stateOverrides, stateRefId } from '../shared/stateStyles';

/**
 * The state counts behind the stats and the per-challenge bars: one instant query per challenge and state
 * (challengeStateCountsQuery), which evaluates every instance's last state within `$window` once for all six panels.
 */
function stateCountsRunner(settings: ResolvedSettings) {
  return new FilteredQueryRunner({
    key: 'state-counts',
    settings,
    operatorKnowledge: 'window',
    build: (f, _recordingRules, at) => [
      instantTable(STATE_COUNTS_REF_ID, challengeStateCountsQuery({ ...settings, at }, f)),
    ],
  });
}

const STATE_COUNTS_REF_ID = 'StateCounts';

const countLabels = (settings: ResolvedSettings) => ({
  challengeId: settings.labels.challengeId,
  cluster: clusterLabelOf(settings),
});

/** Stat per state: how many instances are in it (last state within `$window`), the HexaCTF write-up's first view. */
function stateStats(settings: ResolvedSettings): SceneFlexItemLike {
  return new SceneFlexLayout({
    height: 140,
    children: STATES.map(
      (state) =>
        new SceneFlexItem({
          body: withStandaloneForm(
            PanelBuilders.stat()
              .setTitle(state.name)
              .setDescription(VIEW_STATE_DESCRIPTION)
              // The page's state counts (the parent's runner), this state's sum.
              .setData(
                new SceneDataTransformer({
                  transformations: [stateStatOperator(countLabels(settings), state.value, stateRefId(state))],
                })
              )
              .setOption('colorMode', STATE_STAT_OPTIONS.colorMode)
              .setOption('graphMode', STATE_STAT_OPTIONS.graphMode)
              .setOption('textMode', STATE_STAT_OPTIONS.textMode)
              .setOption('reduceOptions', STATE_STAT_OPTIONS.reduceOptions)
              .setMappings([NO_DATA_STAT_MAPPING])
              .setOverrides(stateOverrides([state]))
              .build(),
            {
              targets: [instantSeries(stateRefId(state), stateCountQuery(settings, state.value, NO_FILTERS))],
              transformations: [],
            }
          ),
        })
    ),
  });
}

const PER_CHALLENGE_STATES = [stateInfo(ChallengeState.Running), stateInfo(ChallengeState.Error)];

/** Running and Error instances per challenge (the HexaCTF write-up's third view), from the page's state counts. */
function perChallengeCounts(settings: ResolvedSettings): SceneFlexItemLike {
  // The challenge id first and the only string field, then a value per state: the bar chart's x and its bars.
  const id = settings.labels.challengeId;
  const values = PER_CHALLENGE_STATES.map((state) => `Value #${stateRefId(state)}`);
  const renameByName: Record<string, string> = { [id]: displayName('challengeId') };
  PER_CHALLENGE_STATES.forEach((state, i) => (renameByName[values[i]] = state.name));
  const organize: DataTransformerConfig = {
    id: DataTransformerID.organize,
    options: {
      includeByName: Object.fromEntries([id, ...values].map((name) => [name, true])),
      excludeByName: {},
      indexByName: Object.fromEntries([id, ...values].map((name, i) => [name, i])),
      renameByName,
    },
  };
  const data = new SceneDataTransformer({
    transformations: [
      perChallengeStatesOperator(
        countLabels(settings),
        PER_CHALLENGE_STATES.map((state) => ({ value: state.value, refId: stateRefId(state) }))
      ),
      // With several clusters in the answer, a bar per challenge and cluster (`<challenge id> @ <cluster>`).
      perClusterColumnsOperator({ cluster: clusterLabelOf(settings), column: id }),
      organize,
    ],
  });
  // On its own (the bundled dashboard): an instant table per state, merged on the challenge id.
  const standalone = {
    targets: PER_CHALLENGE_STATES.map((state) =>
      instantTable(stateRefId(state), challengeStateCountQuery(settings, state.value, NO_FILTERS))
    ),
    transformations: [{ id: DataTransformerID.merge, options: {} }, organize],
  };
  return new SceneFlexItem({
    height: 320,
    body: withStandaloneForm(
      PanelBuilders.barchart()
        .setTitle('Running and Error instances per challenge')
        .setDescription(`Per challenge id. ${VIEW_STATE_DESCRIPTION}`)
        .setData(data)
        .setNoValue('No challenge instances in the window')
        // x by the field's name, which a renaming leaves as it is: a chart finds it whether or not it works out the
        // display names (Grafana's bar chart matches either), so the bars are labelled by challenge id.
        .setOption('xField', id)
        .setOverrides(stateOverrides(PER_CHALLENGE_STATES, 'name'))
        .build(),
      standalone
    ),
  });
}

/** The stats and the per-challenge bars under the one runner they derive from. */
function stateCountPanels(settings: ResolvedSettings): SceneFlexItemLike {
  return new SceneFlexLayout({
    direction: 'column',
    $data: stateCountsRunner(settings),
    children: [stateStats(settings), perChallengeCounts(settings)],
  });
}

/** Instances per state at each step of the time range. */
function countsOverTime(settings: ResolvedSettings): SceneFlexItemLike {
  return new SceneFlexItem({
    height: 320,
    body: PanelBuilders.timeseries()
      .setTitle('Instances per state over time')
      .setDescription(COUNTS_OVER_TIME_DESCRIPTION)
      .setData(
        new FilteredQueryRunner({
          key: 'counts-over-time',
          settings,
          useRecordingRules: true,
          build: (f, recordingRules) =>
            STATES.map((state) =>
              rangeSeries(
                stateRefId(state),
                stateCountOverTimeQuery({ ...settings, recordingRules }, state.value, f),
                state.name
              )
            ),
        })
      )
      .setOverrides(stateOverrides())
      .build(),
  });
}

export function overviewScene(settings: ResolvedSettings) {
  return pageScene(settings, () => [stateCountPanels(settings), countsOverTime(settings)], {
    window: true,
  });
}

export function overviewPage(settings: ResolvedSettings) {
  return new SceneAppPage({
    title: 'Overview',
    subTitle: 'Challenge instances per state, per challenge and over time',
    url: prefixRoute(ROUTES.Overview),
    routePath: `${ROUTES.Overview}/*`,
    getScene: () => overviewScene(settings),
  });
}
