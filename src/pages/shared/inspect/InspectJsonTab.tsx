import React from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import type { VizPanel } from '@grafana/scenes';
import { ClipboardButton, Stack, useStyles2 } from '@grafana/ui';
import { panelJson } from './panelJson';

/** The Panel JSON tab: the panel as a classic dashboard panel, read-only, with a copy button. */
export function InspectJsonTab({ panel }: { panel: VizPanel }) {
  const styles = useStyles2(getStyles);
  // Subscribed, so the JSON follows the panel's state (options, field config).
  panel.useState();
  const json = JSON.stringify(panelJson(panel), null, 2);
  return (
    <Stack direction="column" gap={1}>
      <div>
        <ClipboardButton icon="copy" variant="secondary" size="sm" getText={() => json}>
          Copy JSON
        </ClipboardButton>
      </div>
      <pre className={styles.json} aria-label="Panel JSON">
        {json}
      </pre>
    </Stack>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  json: css({ whiteSpace: 'pre', overflow: 'auto', fontSize: theme.typography.bodySmall.fontSize, margin: 0 }),
});
