import {
  MultiValueVariable,
  SceneVariableSet,
  sceneGraph,
  type SceneObject,
  type SceneVariable,
} from '@grafana/scenes';
import { CLUSTER_FILTER } from '../settings/clusterRole';
import { FILTER_ROLES, filterVariable } from '../settings/labelRoles';

const FILTER_NAMES: ReadonlySet<string> = new Set([...FILTER_ROLES.map(filterVariable), CLUSTER_FILTER]);

/**
 * A filter variable that reads as "All" now: its value is "All", or nothing yet while it defaults to "All" (what it
 * becomes once its options load). The query built for it has no matcher, whatever the options turn out to be.
 */
function readsAsAll(variable: SceneVariable): boolean {
  if (!(variable instanceof MultiValueVariable)) {
    return false;
  }
  if (variable.hasAllValue()) {
    return true;
  }
  const { value, defaultToAll } = variable.state;
  const empty = value === '' || value === undefined || value === null || (Array.isArray(value) && value.length === 0);
  return Boolean(defaultToAll) && empty;
}

/**
 * Whether a variable among `names` that `sceneObject`'s queries need is still loading. A filter that reads as "All"
 * is not needed (the query has no matcher for it), so a page whose filters are all "All" does not wait for their
 * label-values requests: its queries go out beside them instead of after them.
 */
export function waitsForVariables(sceneObject: SceneObject, names: Iterable<string>): boolean {
  for (const name of names) {
    const variable = sceneGraph.lookupVariable(name, sceneObject);
    if (!variable || (FILTER_NAMES.has(name) && readsAsAll(variable))) {
      continue;
    }
    const set = variable.parent;
    if (set instanceof SceneVariableSet && set.isVariableLoadingOrWaitingToUpdate(variable)) {
      return true;
    }
  }
  return false;
}
