import { DataTransformerID, FieldType, type DataTransformerConfig } from '@grafana/data';
import {
  BarGaugeNamePlacement,
  BarGaugeSizing,
  BarGaugeValueMode,
  LegendDisplayMode,
  VizOrientation,
} from '@grafana/schema';
import {
  PanelBuilders,
  SceneAppPage,
  SceneDataTransformer,
  SceneFlexItem,
  SceneFlexLayout,
  type SceneFlexItemLike,
} from '@grafana/scenes';
import { CATEGORY_LABEL, RESOURCE_UNITS, type RequestResource } from '../../metric/contract';
import { NO_FILTERS, clusterLabelOf, type QueryFilters, type QuerySettings } from '../../queries/common';
import {
  DEFINITION_REQUESTS_REF_ID,
  PEAK_LABEL,
  RUNNING_INSTANCES_REF_ID,
  categoryShareQuery,
  definitionRequestsQuery,
  instancesByCategoryQuery,
  peakConcurrentByUserQuery,
  peakDistributionQuery,
  requestsByCategoryQuery,
  requestsByChallengeQuery,
  runningInstancesQuery,
  TOP_USERS,
} from '../../queries/usage';
import { displayName } from '../../settings/labelRoles';
import type { ResolvedSettings } from '../../settings/settings';
import { ROUTES } from '../../constants';
import { prefixRoute } from '../../utils/utils.routing';
import { FilteredQueryRunner, type PromQuery } from '../../data/FilteredQueryRunner';
import { instantSeries, instantTable } from '../../data/promQuery';
import { TABLE_VALUE_FIELD } from '../../transforms/matrix';
import { noticeItem, pageScene } from '../shared/pageScene';
import {
  CATEGORY_COUNT_DESCRIPTION,
  CATEGORY_SHARE_DESCRIPTION,
  REQUESTS_DESCRIPTION,
  TOP_USERS_DESCRIPTION,
} from '../shared/descriptions';
import { MissingMetricsNotice } from './MissingMetricsNotice';
import { tableSteps } from './usageData';
import { colorCategoriesOperator, quantityColor } from '../shared/chartColors';
import { withStandaloneForm } from '../shared/inspect/standaloneForm';
import { perClusterColumnsOperator, perClusterSeriesNamesOperator } from '../../transforms/clusterColumn';
import { categoryCountsOperator, requestsByOperator, type UsageLabels } from '../../transforms/usageCounts';

/** The top users' bar height at most: ten of them fit the panel, and a short list keeps list-sized names. */
export const TOP_USER_BAR_PX = 28;

const NEEDS_NEW_OPERATOR = 'No data: needs challenge_info and challenge_definition_requests (see above)';

/** A runner of the window's instant figures (categories, requests): at the last report while it is last known. */
function runner(key: string, s: ResolvedSettings, build: (s: QuerySettings, f: QueryFilters) => PromQuery[]) {
  return new FilteredQueryRunner({
    key,
    settings: s,
    operatorKnowledge: 'window',
    build: (f, _recordingRules, at) => build({ ...s, at }, f),
  });
}

/** A runner for the peak panels, which read the chart's recording rules when the selected Prometheus has them. */
function peakRunner(key: string, s: ResolvedSettings, build: (s: QuerySettings, f: QueryFilters) => PromQuery[]) {
  return new FilteredQueryRunner({
    key,
    settings: s,
    useRecordingRules: true,
    build: (f, recordingRules) => build({ ...s, recordingRules }, f),
  });
}

const row = (height: number, children: SceneFlexItemLike[]) => new SceneFlexLayout({ height, children });
const item = (body: SceneFlexItem['state']['body']) => new SceneFlexItem({ body });

const PEAK_AXIS = 'Instances at once';
const USERS_AXIS = 'Users';

/**
 * How many users reached each peak: a bar per peak, in order (1, 2, 3, ... instances at once), its height the
 * users. The peak is a label (a string: "10" would sort before "2"), so it is sorted as a number and handed back to
 * the bar chart as the string field it draws along x.
 */
function peakDistributionPanel(s: ResolvedSettings) {
  const asType = (destinationType: FieldType) => ({
    id: DataTransformerID.convertFieldType,
    options: { fields: {}, conversions: [{ targetField: PEAK_AXIS, destinationType }] },
  });
  const data = new SceneDataTransformer({
    $data: peakRunner('peak-distribution', s, (qs, f) => [instantTable('A', peakDistributionQuery(qs, f))]),
    transformations: [
      {
        id: DataTransformerID.organize,
        options: {
          includeByName: { [PEAK_LABEL]: true, [TABLE_VALUE_FIELD]: true },
          excludeByName: {},
          indexByName: { [PEAK_LABEL]: 0, [TABLE_VALUE_FIELD]: 1 },
          renameByName: { [PEAK_LABEL]: PEAK_AXIS, [TABLE_VALUE_FIELD]: USERS_AXIS },
        },
      },
      asType(FieldType.number),
      { id: DataTransformerID.sortBy, options: { sort: [{ field: PEAK_AXIS, desc: false }] } },
      asType(FieldType.string),
    ],
  });
  return (
    PanelBuilders.barchart()
      .setTitle('Users by their peak concurrent instances')
      .setDescription('How many users peaked at 1, 2, 3, ... instances Running at once')
      .setData(data)
      .setNoValue('No running instances in the time range')
      // Upright bars over the peaks, each axis saying what it counts; one series, so no legend.
      // x by the field's name (the label), which renaming leaves: found whether or not display names are worked out.
      .setOption('xField', PEAK_LABEL)
      .setOption('orientation', VizOrientation.Vertical)
      .setOption('xTickLabelRotation', 0)
      .setOption('legend', { showLegend: false, displayMode: LegendDisplayMode.List, placement: 'bottom', calcs: [] })
      .setDecimals(0)
      .setColor(quantityColor())
      .setCustomFieldConfig('axisLabel', USERS_AXIS)
      .setOverrides((b) => b.matchFieldsWithName(PEAK_AXIS).overrideCustomFieldConfig('axisLabel', PEAK_AXIS))
      .build()
  );
}

/**
 * The top users, from the peak-per-user runner the table reads (the same peaks: no topk query of its own): each
 * user's row, named `<user> @ <cluster>` when the answer holds several clusters, the highest peaks first and users
 * with the same peak by name, so the order and who makes the ten do not change from one load to the next (topk's
 * and Prometheus' answer order do). Drawn as rows by the bar gauge (reduceOptions.values), each bar named by its
 * row's string field: the user.
 */
function topUsersSteps(s: ResolvedSettings): SceneDataTransformer['state']['transformations'] {
  const user = s.labels.username;
  return [
    perClusterColumnsOperator({ cluster: clusterLabelOf(s), column: user }),
    {
      id: DataTransformerID.organize,
      options: {
        includeByName: { [user]: true, [TABLE_VALUE_FIELD]: true },
        excludeByName: {},
        indexByName: { [user]: 0, [TABLE_VALUE_FIELD]: 1 },
        // No renaming: a display name on the value field would name every bar.
        renameByName: {},
      },
    },
    // By name, then by the peak: the sort is stable, so users with the same peak stay in name order.
    { id: DataTransformerID.sortBy, options: { sort: [{ field: user, desc: false }] } },
    { id: DataTransformerID.sortBy, options: { sort: [{ field: TABLE_VALUE_FIELD, desc: true }] } },
    { id: DataTransformerID.limit, options: { limitField: TOP_USERS } },
  ];
}

/** Question 1: how many instances does one person keep at once? */
function peakPanels(s: ResolvedSettings): SceneFlexItemLike[] {
  const user = s.labels.username;
  return [
    new SceneFlexLayout({
      height: 360,
      // Every user's peak, read by the table and the top users alike.
      $data: peakRunner('peak-per-user', s, (qs, f) => [instantTable('A', peakConcurrentByUserQuery(qs, f))]),
      children: [
        item(
          PanelBuilders.table()
            .setTitle('Peak concurrent instances per user')
            .setDescription('Most instances each user had Running at the same time over the time range')
            .setData(
              new SceneDataTransformer({
                transformations: tableSteps(s, [user, displayName('username')], { Value: 'Peak instances' }),
              })
            )
            .setNoValue('No running instances in the time range')
            .build()
        ),
        item(
          PanelBuilders.bargauge()
            .setTitle('Top users by peak concurrent instances')
            .setDescription(TOP_USERS_DESCRIPTION)
            .setData(new SceneDataTransformer({ transformations: topUsersSteps(s) }))
            .setNoValue('No running instances in the time range')
            .setDecimals(0)
            .setMin(0)
            // A bar per row (user), not one per numeric field reduced.
            .setOption('reduceOptions', { values: true, calcs: [], fields: '' })
            // A count of instances, not a state: not the default thresholds' green (Running's colour).
            .setColor(quantityColor())
            .setOption('valueMode', BarGaugeValueMode.Text)
            // A bar per user, its name on the left: ten names under upright bars were cut to their first letters.
            .setOption('orientation', VizOrientation.Horizontal)
            .setOption('namePlacement', BarGaugeNamePlacement.Left)
            // Bars of a list's height, not the panel's: two users' bars filled it, in letters too large for their names.
            .setOption('sizing', BarGaugeSizing.Manual)
            .setOption('minVizHeight', 16)
            .setOption('maxVizHeight', TOP_USER_BAR_PX)
            .build()
        ),
        item(peakDistributionPanel(s)),
      ],
    }),
  ];
}

const RESOURCES: RequestResource[] = ['cpu', 'memory'];
/** The request columns' headers (the cores' unit is a count, so the name says it; memory has its unit, bytes). */
const RESOURCE_NAMES: Record<RequestResource, string> = { cpu: 'CPU requested (cores)', memory: 'Memory requested' };

/**
 * The Running instances and the definitions' requests behind every panel of question 2: two instant queries
 * (runningInstancesQuery, definitionRequestsQuery), which evaluate every instance's current state with its
 * challenge_info once for all four panels (src/transforms/usageCounts.ts derives them).
 */
function capacityRunner(s: ResolvedSettings) {
  return runner('capacity', s, (qs, f) => [
    instantTable(RUNNING_INSTANCES_REF_ID, runningInstancesQuery(qs, f)),
    instantTable(DEFINITION_REQUESTS_REF_ID, definitionRequestsQuery(qs, f)),
  ]);
}

const usageLabels = (s: ResolvedSettings): UsageLabels => ({
  challengeId: s.labels.challengeId,
  namespace: s.labels.namespace,
  cluster: clusterLabelOf(s),
});

/** The steps a dashboard can hold (custom operators are code). */
const standardSteps = (steps: SceneDataTransformer['state']['transformations']) =>
  steps.filter((t): t is DataTransformerConfig => typeof t === 'object' && t !== null && 'id' in t);

/** Requested CPU and memory of the Running instances, per challenge id or per category, from the page's runner. */
function requestsTable(
  title: string,
  per: 'challengeId' | 'category',
  label: [string, string],
  s: ResolvedSettings,
  build: (s: QuerySettings, r: RequestResource, f: QueryFilters) => string
) {
  const rename: Record<string, string> = {};
  for (const r of RESOURCES) {
    rename[`Value #${r}`] = RESOURCE_NAMES[r];
  }
  const steps = tableSteps(s, label, rename);
  return withStandaloneForm(
    PanelBuilders.table()
      .setTitle(title)
      .setDescription(REQUESTS_DESCRIPTION)
      .setData(new SceneDataTransformer({ transformations: [requestsByOperator(usageLabels(s), per), ...steps] }))
      // No noValue: after the merge a challenge missing one resource has a null cell, which it would fill.

      .setOverrides((b) => {
        for (const r of RESOURCES) {
          b.matchFieldsWithName(RESOURCE_NAMES[r]).overrideUnit(RESOURCE_UNITS[r]);
        }
      })
      .build(),
    // On its own: an instant table per resource, merged.
    { targets: RESOURCES.map((r) => instantTable(r, build(s, r, NO_FILTERS))), transformations: standardSteps(steps) }
  );
}

/** The bar gauge's and the pie's series per category, from the page's runner, named and coloured per category. */
const categoryData = (s: ResolvedSettings, share: boolean) =>
  new SceneDataTransformer({
    transformations: [
      categoryCountsOperator(usageLabels(s), share),
      perClusterSeriesNamesOperator(clusterLabelOf(s)),
      colorCategoriesOperator(CATEGORY_LABEL),
    ],
  });

/** Question 2: which challenges and categories use what? All four panels under the one runner they derive from. */
function capacityPanels(s: ResolvedSettings): SceneFlexItemLike[] {
  const category = `{{${CATEGORY_LABEL}}}`;
  return [
    new SceneFlexLayout({
      direction: 'column',
      $data: capacityRunner(s),
      children: [
        row(320, [
          item(
            withStandaloneForm(
              PanelBuilders.bargauge()
                .setTitle('Running instances per category')
                .setDescription(CATEGORY_COUNT_DESCRIPTION)
                .setData(categoryData(s, false))
                .setNoValue(NEEDS_NEW_OPERATOR)
                .setDecimals(0)
                .setMin(0)
                .setOption('valueMode', BarGaugeValueMode.Text)
                .build(),
              { targets: [instantSeries('A', instancesByCategoryQuery(s, NO_FILTERS), category)], transformations: [] }
            )
          ),
          item(
            withStandaloneForm(
              PanelBuilders.piechart()
                .setTitle('Share of running instances per category')
                .setDescription(CATEGORY_SHARE_DESCRIPTION)
                .setData(categoryData(s, true))
                .setNoValue(NEEDS_NEW_OPERATOR)
                .setUnit('percentunit')
                .build(),
              { targets: [instantSeries('A', categoryShareQuery(s, NO_FILTERS), category)], transformations: [] }
            )
          ),
        ]),
        row(360, [
          item(
            requestsTable(
              'Requested by running instances, per challenge',
              'challengeId',
              [s.labels.challengeId, displayName('challengeId')],
              s,
              requestsByChallengeQuery
            )
          ),
          item(
            requestsTable(
              'Requested by running instances, per category',
              'category',
              [CATEGORY_LABEL, 'Category'],
              s,
              requestsByCategoryQuery
            )
          ),
        ]),
      ],
    }),
  ];
}

export function usageScene(settings: ResolvedSettings) {
  return pageScene(
    settings,
    () => [...peakPanels(settings), noticeItem(new MissingMetricsNotice()), ...capacityPanels(settings)],
    { window: true }
  );
}

export function usagePage(settings: ResolvedSettings) {
  return new SceneAppPage({
    title: 'Usage',
    subTitle: 'How many instances people keep at once, and what each challenge and category requests',
    url: prefixRoute(ROUTES.Usage),
    routePath: `${ROUTES.Usage}/*`,
    getScene: () => usageScene(settings),
  });
}
