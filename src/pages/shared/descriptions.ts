/** What an instance's state in the window's views is (docs/dashboard-semantics.md). */
export const VIEW_STATE_DESCRIPTION =
  'Each instance counts once: in its current state while the operator reports it, or as Deleted when that was its ' +
  'last state within the window; when one instance has two series (an operator restart or handover), the newest ' +
  'sample wins. An instance whose series vanished without a Deleted is not counted. Evaluated at the end of the ' +
  'time range, or, when the operator stopped reporting inside it, at its last report (the banner says so). 0 only ' +
  'while the operator reports; No data when Prometheus holds nothing from it.';

/** Panels whose meaning is not in their title alone. */
export const ERROR_INSTANCES_DESCRIPTION =
  'Instances the operator reports in Error now. A Challenge that was removed leaves the list at once.';
export const stuckDeletionsDescription = (after: string) =>
  `Instances that have been Deleted for at least ${after} and are still reported: a finalizer that did not ` +
  'finish. A finished deletion stops being reported about a minute after the Challenge is gone.';
export const userInstancesDescription = (user: string) =>
  `Every instance of ${user} in the window, with its state. ${VIEW_STATE_DESCRIPTION}`;
export const TOP_USERS_DESCRIPTION =
  'The users with the highest peak: most instances Running at the same time over the time range.';
export const CATEGORY_COUNT_DESCRIPTION =
  'Instances Running now, counted by the category of their challenge definition (needs the category info metric).';
export const CATEGORY_SHARE_DESCRIPTION =
  "Each category's share of the instances Running now (needs the category info metric).";
export const REQUESTS_DESCRIPTION =
  'CPU cores and memory requested by the containers of the instances Running now (not what they use).';
export const COUNTS_OVER_TIME_DESCRIPTION =
  'Instances in each state at each step: reported by the operator at that step, or Deleted within the step. ' +
  'A short Error or Deleted shows for as long as it lasted. 0 only where the operator reported: a scrape gap or an ' +
  'outage is a gap in the lines, not a fall to 0.';
