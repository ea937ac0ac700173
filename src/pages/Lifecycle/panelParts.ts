// The building blocks of the Lifecycle page's panels (lifecyclePage.ts, operatorHealth.ts): query runners, custom
// transformation steps and rows.
import type { CustomTransformOperator } from '@grafana/data';
import {
  SceneDataTransformer,
  SceneFlexItem,
  SceneFlexLayout,
  type SceneDataProvider,
  type VizPanel,
} from '@grafana/scenes';
import { type QueryFilters, type QuerySettings } from '../../queries/common';
import { FilteredQueryRunner, type PromQuery } from '../../data/FilteredQueryRunner';
import { finiteOnlyOperator } from '../../transforms/lifecycle';

export const percentile = (q: number) => `p${Math.round(q * 100)}`;

export function runner(key: string, build: (f: QueryFilters) => PromQuery[]) {
  return new FilteredQueryRunner({ key, build });
}

/**
 * A runner of the Challenges' lifecycle metrics: it waits for the page's operator check, so while Prometheus holds
 * nothing from the operator for the range it sends nothing and its panel says No data, not its empty text.
 */
export function lifecycleRunner(key: string, settings: QuerySettings, build: (f: QueryFilters) => PromQuery[]) {
  return new FilteredQueryRunner({ key, build, settings });
}

/** A runner's answers through custom steps (src/transforms/lifecycle.ts). */
export function through($data: SceneDataProvider, ...steps: CustomTransformOperator[]) {
  return new SceneDataTransformer({ $data, transformations: steps });
}

/** Quantiles over steps: a window without observations (NaN) is a gap, not a chart that draws nothing. */
export const quantileSteps = ($data: SceneDataProvider) => through($data, finiteOnlyOperator('gaps'));

export function row(height: number, panels: VizPanel[]): SceneFlexLayout {
  return new SceneFlexLayout({ height, children: panels.map((body) => new SceneFlexItem({ body })) });
}
