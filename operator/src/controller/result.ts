// What a reconcile hands back to the controller: a result (maybe "again after"), or one of two errors that mean
// "retry with backoff" (controller-runtime's reconcile.Result and its error returns).

export interface Result {
  requeueAfterMs?: number;
}

/** A retry with backoff that is not a failure of the reconciler (409 conflict, object gone meanwhile). */
export class RequeueError extends Error {}

/** A failure worth retrying with backoff; requeueAfterMs caps the wait when a deadline is due earlier. */
export class TransientError extends Error {
  readonly cause: unknown;
  readonly requeueAfterMs?: number;
  constructor(cause: unknown, requeueAfterMs?: number) {
    super(cause instanceof Error ? cause.message : String(cause));
    this.cause = cause;
    this.requeueAfterMs = requeueAfterMs;
  }
}
