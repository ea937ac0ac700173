import type { DataTransformerConfig } from '@grafana/data';
import { SceneDataTransformer, SceneQueryRunner, sceneGraph, type VizPanel } from '@grafana/scenes';
import type { StandardEquivalentOperator } from '../../../transforms/matrix';
import { standaloneFormOf } from './standaloneForm';

/** The query runner feeding a panel: its own, or the one under its transformer. */
function runnerOf(panel: VizPanel): SceneQueryRunner | undefined {
  const provider = panel.state.$data;
  if (!provider || provider instanceof SceneQueryRunner) {
    return provider;
  }
  // A transformer without a source of its own reads the data of the panel's parents (the Overview's shared counts).
  return sceneGraph.findDescendents(provider, SceneQueryRunner)[0] ?? sharedRunnerOf(panel);
}

function sharedRunnerOf(panel: VizPanel): SceneQueryRunner | undefined {
  const data = panel.parent ? sceneGraph.getData(panel.parent) : undefined;
  return data instanceof SceneQueryRunner ? data : undefined;
}

/**
 * The panel's transformations that a dashboard can hold (custom operators are code, not JSON; one that stands for
 * standard steps, such as the matrix's one-pass pivot, is written as those steps).
 */
function transformationsOf(panel: VizPanel): DataTransformerConfig[] {
  const provider = panel.state.$data;
  if (!(provider instanceof SceneDataTransformer)) {
    return [];
  }
  return provider.state.transformations.flatMap((t): DataTransformerConfig[] => {
    if (typeof t === 'function') {
      return (t as Partial<StandardEquivalentOperator>).standardSteps ?? [];
    }
    return typeof t === 'object' && t !== null && 'id' in t ? [t] : [];
  });
}

/**
 * The panel as a classic dashboard panel (the model Grafana's "Panel JSON" shows): type, title, description,
 * datasource, targets as the runner holds them (the page's variables such as `${ds}` and `$window` not filled in),
 * transformations, options and field config; a panel derived from a shared runner in its standalone form.
 */
export function panelJson(panel: VizPanel) {
  const { title, description, pluginId, pluginVersion, options, fieldConfig } = panel.state;
  const runner = runnerOf(panel);
  const datasource = runner?.state.datasource;
  const standalone = standaloneFormOf(panel);
  const transformations = standalone?.transformations ?? transformationsOf(panel);
  const queries = standalone?.targets ?? runner?.state.queries ?? [];
  return {
    type: pluginId,
    title,
    ...(description ? { description } : {}),
    ...(pluginVersion ? { pluginVersion } : {}),
    ...(datasource ? { datasource } : {}),
    targets: queries.map((query) => ({ ...(datasource ? { datasource } : {}), ...query })),
    ...(transformations.length > 0 ? { transformations } : {}),
    options,
    fieldConfig,
  };
}
