// Series named per cluster when an answer holds several clusters, for the panels whose series are per cluster.
import { SceneDataTransformer, type SceneDataProvider } from '@grafana/scenes';
import { clusterLabelOf, type QuerySettings } from '../../queries/common';
import { perClusterSeriesNamesOperator } from '../../transforms/clusterColumn';

/** A provider's series named per cluster when it answers with several (`alice @ a`), as they are otherwise. */
export const perClusterNames = ($data: SceneDataProvider, s: Pick<QuerySettings, 'clusterLabel'>) =>
  new SceneDataTransformer({ $data, transformations: [perClusterSeriesNamesOperator(clusterLabelOf(s))] });
