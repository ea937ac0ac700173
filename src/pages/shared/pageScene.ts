import {
  EmbeddedScene,
  SceneControlsSpacer,
  SceneFlexItem,
  SceneFlexLayout,
  SceneReactObject,
  SceneRefreshPicker,
  SceneTimePicker,
  SceneTimeRange,
  VariableValueSelectors,
  type SceneFlexItemLike,
  type SceneObject,
} from '@grafana/scenes';
import type { ResolvedSettings } from '../../settings/settings';
import { MissingDatasourceMessage, NoDatasourceMessage } from './DatasourceMessages';
import { LegacyOperatorNotice } from './LegacyOperatorNotice';
import { OperatorStatusNotice } from './OperatorStatusNotice';
import { prometheusDatasources } from '../../data/datasource';
import { addPanelMenus } from './panelMenu';
import { applyTableLegends } from './legends';
import { applyNoDataTexts } from './noDataText';
import { PanelInspector } from './inspect/PanelInspector';
import { TimeControls } from './TimeControls';
import { assignPanelKeys } from './inspect/panelKeys';
import { pageVariables, type VariableOptions } from './variables';
import { PanelDataWithScene } from './panelDataWithScene';

export const DEFAULT_TIME_RANGE = Object.freeze({ from: 'now-6h', to: 'now' });

/**
 * A notice above the panels: as tall as what it shows, nothing when it shows nothing. A column's flex item without
 * a height otherwise grows to share the free space with the panels (a blank band above them).
 */
export const noticeItem = (body: SceneObject) => new SceneFlexItem({ ySizing: 'content', body });

/**
 * A page's scene: variables, time range and controls around `rows` (a column of flex items). Without any
 * Prometheus datasource the page holds only a message saying so. Above the panels: the operator status (a banner
 * when it is not reporting), what can be shown when the exporter is the original operator, and a warning when the configured datasource is gone (the picker fell back to another).
 */
export function pageScene(
  settings: ResolvedSettings,
  rows: () => SceneFlexItemLike[],
  variables: VariableOptions = {}
): EmbeddedScene {
  const datasources = prometheusDatasources();
  if (datasources.length === 0) {
    return new EmbeddedScene({
      body: new SceneFlexLayout({
        children: [new SceneFlexItem({ body: new SceneReactObject({ component: NoDatasourceMessage }) })],
      }),
    });
  }
  const notices: SceneFlexItemLike[] = [
    noticeItem(new OperatorStatusNotice(settings)),
    noticeItem(new LegacyOperatorNotice(settings)),
  ];
  if (!datasources.some((ds) => ds.uid === settings.datasourceUid)) {
    notices.push(
      noticeItem(new SceneReactObject({ component: MissingDatasourceMessage, props: { uid: settings.datasourceUid } }))
    );
  }
  const scene = new EmbeddedScene({
    $timeRange: new SceneTimeRange({ ...DEFAULT_TIME_RANGE }),
    $variables: pageVariables(settings, variables),
    // After the time range and variables: the panels' queries go out beside the filters' label values.
    $behaviors: [new PanelDataWithScene()],
    controls: [
      new VariableValueSelectors({}),
      new SceneControlsSpacer(),
      new TimeControls({
        timePicker: new SceneTimePicker({}),
        // With its text: the text is also the refresh button's accessible name (without it the button has none).
        refreshPicker: new SceneRefreshPicker({ intervals: ['30s', '1m', '5m', '15m'], withText: true }),
      }),
    ],
    // The inspector shows the page's panels, or one alone (View), and the inspect drawer, as the URL says.
    body: new PanelInspector({
      body: new SceneFlexLayout({ direction: 'column', children: [...notices, ...rows()] }),
    }),
  });
  // Every panel of every page gets the standard menu and a key for links here, not each where it is built.
  assignPanelKeys(scene);
  addPanelMenus(scene);
  applyTableLegends(scene);
  applyNoDataTexts(scene);
  return scene;
}
