import React from 'react';
import {
  SceneObjectBase,
  SceneObjectUrlSyncConfig,
  sceneGraph,
  type SceneComponentProps,
  type SceneObject,
  type SceneObjectState,
  type SceneObjectUrlValues,
  type VizPanel,
} from '@grafana/scenes';
import { InspectDrawer } from './InspectDrawer';
import { PanelView } from './PanelView';
import { findPanel } from './panelKeys';
import { parseInspectTab, type InspectTab } from './inspectTabs';

export interface PanelInspectorState extends SceneObjectState {
  /** The page's panels. */
  body: SceneObject;
  /** Key of the panel shown in the inspect drawer. */
  inspectKey?: string;
  inspectTab?: InspectTab;
  /** Key of the panel shown alone, full size. */
  viewKey?: string;
}

const URL_KEYS = { inspect: 'inspect', inspectTab: 'inspectTab', view: 'viewPanel' } as const;

/**
 * Holds a page's panels and what Grafana's dashboards offer for each: View (the panel alone, full size) and Inspect
 * (a drawer with its data, queries and JSON). Both live in the URL (`viewPanel=`, `inspect=` and `inspectTab=`,
 * Grafana's names), so a link opens them; opening and closing each add a browser history step, so Back closes what
 * was just opened.
 */
export class PanelInspector extends SceneObjectBase<PanelInspectorState> {
  static Component = PanelInspectorRenderer;

  protected _urlSync = new SceneObjectUrlSyncConfig(this, { keys: Object.values(URL_KEYS) });

  /** The inspector that holds `panel`, if the panel is on a page (pageScene puts one around every page). */
  static of(panel: VizPanel): PanelInspector | undefined {
    try {
      return sceneGraph.getAncestor(panel, PanelInspector);
    } catch {
      return undefined;
    }
  }

  getUrlState(): SceneObjectUrlValues {
    const { inspectKey, inspectTab, viewKey } = this.state;
    return {
      [URL_KEYS.inspect]: inspectKey ?? null,
      [URL_KEYS.inspectTab]: inspectKey ? (inspectTab ?? 'data') : null,
      [URL_KEYS.view]: viewKey ?? null,
    };
  }

  updateFromUrl(values: SceneObjectUrlValues) {
    const update: Partial<PanelInspectorState> = {};
    if (URL_KEYS.inspect in values) {
      update.inspectKey = firstValue(values[URL_KEYS.inspect]);
    }
    if (URL_KEYS.inspectTab in values) {
      update.inspectTab = parseInspectTab(firstValue(values[URL_KEYS.inspectTab]));
    }
    if (URL_KEYS.view in values) {
      update.viewKey = firstValue(values[URL_KEYS.view]);
    }
    this.setState(update);
  }

  /** The panel of this page with that key (undefined when a link names one the page does not have). */
  panel(key: string | undefined): VizPanel | undefined {
    return findPanel(this.state.body, key);
  }

  inspect(panel: VizPanel, tab: InspectTab = 'data') {
    this.withHistoryStep({ inspectKey: panel.state.key, inspectTab: tab });
  }

  /** Switching tabs replaces the URL (like Grafana), so Back still closes the drawer in one step. */
  showTab(tab: InspectTab) {
    this.setState({ inspectTab: tab });
  }

  closeInspect() {
    this.withHistoryStep({ inspectKey: undefined, inspectTab: undefined });
  }

  view(panel: VizPanel) {
    this.withHistoryStep({ viewKey: panel.state.key });
  }

  closeView() {
    this.withHistoryStep({ viewKey: undefined });
  }

  private withHistoryStep(update: Partial<PanelInspectorState>) {
    this._urlSync.performBrowserHistoryAction(() => this.setState(update));
  }
}

function firstValue(value: SceneObjectUrlValues[string]): string | undefined {
  const first = Array.isArray(value) ? value[0] : value;
  return first ? first : undefined;
}

function PanelInspectorRenderer({ model }: SceneComponentProps<PanelInspector>) {
  const { body, inspectKey, inspectTab, viewKey } = model.useState();
  const viewed = model.panel(viewKey);
  const inspected = model.panel(inspectKey);
  return (
    <>
      {viewed ? (
        // Escape closes the drawer first when both are open (the drawer handles its own Escape).
        <PanelView panel={viewed} onClose={() => model.closeView()} closeOnEscape={!inspected} />
      ) : (
        <body.Component model={body} />
      )}
      {inspected && (
        <InspectDrawer
          panel={inspected}
          tab={inspectTab ?? 'data'}
          onTabChange={(tab) => model.showTab(tab)}
          onClose={() => model.closeInspect()}
        />
      )}
    </>
  );
}
