import React from 'react';
import { LoadingState, type PanelData } from '@grafana/data';
import { Alert } from '@grafana/ui';
import { hasRows } from './frameTable';

/** The errors of the panel's last response (a query can fail while others answer). */
export const dataErrors = (data: PanelData | undefined) => data?.errors ?? [];

/**
 * What the tabs say instead of (or above) data: the query's errors, that nothing was asked yet, that it is still
 * loading, or that it came back empty.
 */
export function DataStatus({ data }: { data: PanelData | undefined }) {
  const errors = dataErrors(data);
  if (errors.length > 0) {
    return (
      <Alert severity="error" title="The panel's query failed">
        {errors.map((error, i) => (
          <div key={i}>
            {error.refId ? `${error.refId}: ${error.message ?? ''}` : (error.message ?? 'Unknown error')}
          </div>
        ))}
      </Alert>
    );
  }
  if (!data) {
    return (
      <Alert severity="info" title="No data yet">
        The panel has not run its queries yet.
      </Alert>
    );
  }
  if (data.state === LoadingState.Loading && !hasRows(data.series)) {
    return (
      <Alert severity="info" title="Loading">
        The panel is waiting for its queries.
      </Alert>
    );
  }
  if (!hasRows(data.series)) {
    return (
      <Alert severity="info" title="No data">
        The panel&apos;s queries returned no series for this time range and these filters.
      </Alert>
    );
  }
  return null;
}
