import React from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { sceneGraph, type VizPanel } from '@grafana/scenes';
import { ClipboardButton, Stack, useStyles2 } from '@grafana/ui';
import { panelQueries, queryText } from '../panelQueries';
import { DataStatus } from './DataStatus';
import { requestStats } from './requestStats';

/**
 * The Query tab: each query's PromQL as the panel sent it (page variables filled in), the request's time range and
 * interval, and what the last response held.
 */
export function InspectQueryTab({ panel }: { panel: VizPanel }) {
  const styles = useStyles2(getStyles);
  const { data } = sceneGraph.getData(panel).useState();
  if (!data?.request) {
    return <DataStatus data={data} />;
  }
  const queries = panelQueries(panel);
  return (
    <Stack direction="column" gap={2}>
      <div>
        <ClipboardButton icon="copy" variant="secondary" size="sm" getText={() => queryText(panel)}>
          Copy query
        </ClipboardButton>
      </div>
      {queries.map((query) => (
        <section key={query.refId} aria-label={`Query ${query.refId}`}>
          <div className={styles.heading}>
            {query.refId} <span className={styles.kind}>{query.instant ? 'instant' : 'range'}</span>
          </div>
          <pre className={styles.promql}>{query.expr}</pre>
        </section>
      ))}
      <DataStatus data={data} />
      <table className={styles.stats} aria-label="Request and response">
        <tbody>
          {requestStats(data).map((stat) => (
            <tr key={stat.label}>
              <th scope="row">{stat.label}</th>
              <td>{stat.value}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Stack>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  heading: css({ fontWeight: theme.typography.fontWeightMedium, marginBottom: theme.spacing(0.5) }),
  kind: css({ color: theme.colors.text.secondary, fontWeight: theme.typography.fontWeightRegular }),
  promql: css({ whiteSpace: 'pre-wrap', wordBreak: 'break-all', margin: 0 }),
  stats: css({
    fontSize: theme.typography.bodySmall.fontSize,
    'th, td': { padding: theme.spacing(0.25, 1), textAlign: 'left', verticalAlign: 'top' },
    th: { color: theme.colors.text.secondary, fontWeight: theme.typography.fontWeightRegular },
  }),
});
