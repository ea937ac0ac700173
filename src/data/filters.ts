import { MultiValueVariable, sceneGraph, type SceneObject } from '@grafana/scenes';
import type { QueryFilters } from '../queries/common';
import { CLUSTER_FILTER } from '../settings/clusterRole';
import { FILTER_ROLES, filterVariable } from '../settings/labelRoles';

/**
 * The selected values of one filter variable; "All", nothing selected or no such variable mean no filter. "All"
 * is asked of the variable itself: its getValue() answers with every option's value, and sending that list would
 * put every user of an event into every query (15 KB of regex at 500 users) instead of no matcher at all.
 */
function selectedValues(sceneObject: SceneObject, name: string): string[] {
  const variable = sceneGraph.lookupVariable(name, sceneObject);
  if (!variable || (variable instanceof MultiValueVariable && variable.hasAllValue())) {
    return [];
  }
  const value = variable.getValue();
  const values = Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
  return values.map(String).filter((v) => v !== '');
}

/** The filters selected for `sceneObject`'s page (the roles' and the cluster's), as the query builders take them. */
export function readFilters(sceneObject: SceneObject): QueryFilters {
  const roles = Object.fromEntries(
    FILTER_ROLES.map((role) => [role, selectedValues(sceneObject, filterVariable(role))])
  );
  return { ...roles, [CLUSTER_FILTER]: selectedValues(sceneObject, CLUSTER_FILTER) };
}
