// What the Lifecycle page says when Prometheus holds none of the operator's lifecycle metrics, as a person reads it:
// the notice's title, and the panels that then say No data. Written out here rather than taken from the app, so the
// jsdom test and the browser test check the app against one literal expectation.
export const MISSING_LIFECYCLE_METRICS_TITLE =
  'No challenge_time_to_running_seconds, challenge_lifetime_seconds, challenge_state_transitions_total in Prometheus for the time range';

export const LIFECYCLE_METRIC_PANELS = [
  'Time to Running',
  'Time to Running per definition',
  'Instance lifetime',
  'Share of instances that ended within each lifetime',
  'Opens, failures and deletions per minute',
] as const;
