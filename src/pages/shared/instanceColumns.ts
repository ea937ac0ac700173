import type { LabelNames } from '../../metric/contract';

/**
 * Organize-fields options that turn a Prometheus instant table of instances (Time, the four labels, whatever the
 * scrape added, Value) into namespace, user, challenge, Challenge name and a value column named `valueName`.
 */
export function instanceColumns(labels: LabelNames, valueName: string, valueField = 'Value') {
  const order = [labels.namespace, labels.username, labels.challengeId, labels.challengeName, valueField];
  return {
    includeByName: Object.fromEntries(order.map((name) => [name, true])),
    excludeByName: {},
    indexByName: Object.fromEntries(order.map((name, i) => [name, i])),
    renameByName: {
      [labels.namespace]: 'Namespace',
      [labels.username]: 'User',
      [labels.challengeId]: 'Challenge',
      [labels.challengeName]: 'Name',
      [valueField]: valueName,
    },
  };
}
