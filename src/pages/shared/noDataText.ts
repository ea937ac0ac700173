import { SceneDataTransformer, VizPanel, sceneGraph, type SceneDataProvider, type SceneObject } from '@grafana/scenes';
import { FilteredQueryRunner } from '../../data/FilteredQueryRunner';

/**
 * A scene object that knows the metric some runners' panels read is absent from Prometheus (the Lifecycle page's
 * notice of missing lifecycle metrics): their panels then say "No data" too, not their empty text.
 */
export interface AbsentMetricsSource extends SceneObject {
  absentFor(runnerKey: string | undefined): boolean;
}

const isAbsentMetricsSource = (o: SceneObject): o is AbsentMetricsSource =>
  typeof (o as Partial<AbsentMetricsSource>).absentFor === 'function';

/** What a panel says while Prometheus holds nothing from the operator for the range. */
export const NO_DATA_TEXT = 'No data';

/**
 * The FilteredQueryRunner behind a panel's data (through its transformers, and a transformer without its own source
 * reads its panel's parents' data, as scenes does), if any.
 */
export function runnerOf(data: SceneDataProvider | undefined): FilteredQueryRunner | undefined {
  let d: SceneObject | undefined = data;
  while (d && !(d instanceof FilteredQueryRunner)) {
    if (!d.state.$data && d instanceof SceneDataTransformer && d.parent?.parent) {
      d = sceneGraph.getData(d.parent.parent);
    } else {
      d = d.state.$data;
    }
  }
  return d;
}

/**
 * A panel's empty text ("No instance is in Error", "No running instances in the time range") says something about the
 * cluster, so it may only show when the operator reports (docs/dashboard-semantics.md, "What the pages know"). While
 * its runner knows Prometheus holds nothing from the operator for the range, every such panel says "No data" instead.
 */
export function applyNoDataTexts(scene: SceneObject) {
  const absentSources = sceneGraph.findAllObjects(scene, isAbsentMetricsSource) as AbsentMetricsSource[];
  for (const panel of sceneGraph.findAllObjects(scene, (o) => o instanceof VizPanel) as VizPanel[]) {
    const emptyText = panel.state.fieldConfig.defaults.noValue;
    if (!emptyText) {
      continue;
    }
    panel.addActivationHandler(() => {
      const data = sceneGraph.getData(panel);
      const runner = runnerOf(data);
      if (!runner) {
        return;
      }
      const update = () => {
        const absent = absentSources.some((source) => source.absentFor(runner.state.key));
        const noValue = runner.knowledge.kind === 'noData' || absent ? NO_DATA_TEXT : emptyText;
        const { fieldConfig } = panel.state;
        if (fieldConfig.defaults.noValue !== noValue) {
          panel.setState({ fieldConfig: { ...fieldConfig, defaults: { ...fieldConfig.defaults, noValue } } });
        }
      };
      update();
      const subs = [
        data.subscribeToState(update),
        ...absentSources.flatMap((source) => (source.state.$data ? [source.state.$data.subscribeToState(update)] : [])),
      ];
      return () => subs.forEach((sub) => sub.unsubscribe());
    });
  }
}
