import React, { useMemo, useState } from 'react';
import { css } from '@emotion/css';
import { getFrameDisplayName, type DataFrame, type GrafanaTheme2, type PanelData } from '@grafana/data';
import { sceneGraph, type VizPanel } from '@grafana/scenes';
import { Button, Combobox, InlineField, InlineSwitch, Stack, useStyles2 } from '@grafana/ui';
import { csvFilename, downloadText, framesCsv } from '../panelCsv';
import { DataStatus } from './DataStatus';
import { frameText, hasRows } from './frameTable';

/** Rows shown in the drawer; the CSV download has them all. */
export const MAX_SHOWN_ROWS = 500;

/** The frames to show: as the panel shows them (field config applied) or as the datasource returned them. */
function inspectedFrames(panel: VizPanel, data: PanelData | undefined, formatted: boolean): DataFrame[] {
  if (!data) {
    return [];
  }
  // Without its plugin (never rendered yet) the panel cannot apply its field config: show the values as they are.
  return formatted && panel.getPlugin() ? panel.applyFieldConfig(data).series : data.series;
}

/** The Data tab: the panel's frames as a table, one frame at a time, and the shown frame as CSV. */
export function InspectDataTab({ panel }: { panel: VizPanel }) {
  const styles = useStyles2(getStyles);
  const { title } = panel.useState();
  const { data } = sceneGraph.getData(panel).useState();
  const [formatted, setFormatted] = useState(true);
  const [picked, setPicked] = useState(0);
  const frames = useMemo(() => inspectedFrames(panel, data, formatted), [panel, data, formatted]);

  if (!hasRows(frames)) {
    // Frames without rows: say why (no query yet, error, loading, empty answer).
    return <DataStatus data={data} />;
  }
  const index = Math.min(picked, frames.length - 1);
  const frame = frames[index];
  const frameName = (f: DataFrame, i: number) => getFrameDisplayName(f, i);
  const text = frameText(frame, frames, MAX_SHOWN_ROWS);
  const download = () =>
    downloadText(csvFilename(frames.length > 1 ? `${title} ${frameName(frame, index)}` : title), framesCsv([frame]));

  return (
    <Stack direction="column" gap={1}>
      <DataStatus data={data} />
      <Stack direction="row" gap={1} alignItems="center" wrap="wrap">
        {frames.length > 1 && (
          <InlineField label="Data frame">
            <Combobox
              aria-label="Data frame"
              width={40}
              value={index}
              options={frames.map((f, i) => ({ value: i, label: `${frameName(f, i)} (${f.length} rows)` }))}
              onChange={(option) => setPicked(option.value)}
            />
          </InlineField>
        )}
        <InlineField label="Formatted data" tooltip="Values as the panel shows them (units, mappings, names)">
          <InlineSwitch
            aria-label="Formatted data"
            value={formatted}
            onChange={(event) => setFormatted(event.currentTarget.checked)}
          />
        </InlineField>
        <Button icon="download-alt" variant="primary" size="sm" onClick={download}>
          Download CSV
        </Button>
      </Stack>
      {text.total > text.rows.length && (
        <div className={styles.note}>
          Showing the first {text.rows.length} of {text.total} rows; the CSV has them all.
        </div>
      )}
      <div className={styles.scroll}>
        <table className={styles.table} aria-label={`Data of ${title}`}>
          <thead>
            <tr>
              {text.header.map((name, i) => (
                <th key={i}>{name}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {text.rows.map((row, r) => (
              <tr key={r}>
                {row.map((cell, c) => (
                  <td key={c}>{cell}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Stack>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  note: css({ color: theme.colors.text.secondary, fontSize: theme.typography.bodySmall.fontSize }),
  scroll: css({ overflow: 'auto' }),
  table: css({
    width: '100%',
    borderCollapse: 'collapse',
    fontSize: theme.typography.bodySmall.fontSize,
    'th, td': {
      padding: theme.spacing(0.5, 1),
      borderBottom: `1px solid ${theme.colors.border.weak}`,
      textAlign: 'left',
      whiteSpace: 'nowrap',
    },
    th: { color: theme.colors.text.secondary, fontWeight: theme.typography.fontWeightMedium },
  }),
});
