/** What an instance's state in the window's views is (docs/dashboard-semantics.md). */
export const VIEW_STATE_DESCRIPTION =
  'Each instance counts once: in its current state while the operator reports it, or as Deleted when that was its ' +
  'last state within the window. An instance whose series vanished without a Deleted is not counted.';
