/**
 * The stand-in panel plugins of the jsdom harness: each prints what a real panel shows (per frame, each field's
 * display name and the display text and colour of its values), so tests read a page as a person would.
 */
import React from 'react';
import {
  PanelPlugin,
  formattedValueToString,
  getFieldDisplayName,
  getFieldDisplayValues,
  type ReduceDataOptions,
  identityOverrideProcessor,
  type PanelProps,
} from '@grafana/data';
import { config, setPluginImportUtils } from '@grafana/runtime';
import { registerStandardFieldConfig } from './standard-field-config';

/**
 * The names and texts of the values a panel that draws every row (a bar gauge with `reduceOptions.values`) shows, as
 * Grafana's panels work them out (getFieldDisplayValues: a value per row, named by the row's string fields), which
 * the tables above do not say.
 */
function DisplayValues({ data, options, fieldConfig, replaceVariables, timeZone }: PanelProps<object>) {
  const reduceOptions = (options as { reduceOptions?: ReduceDataOptions }).reduceOptions;
  if (!reduceOptions?.values) {
    return null;
  }
  const values = getFieldDisplayValues({
    data: data.series,
    reduceOptions,
    fieldConfig,
    replaceVariables,
    theme: config.theme2,
    timeZone,
  });
  return (
    <ol data-testid="display-values">
      {values.map((v, i) => (
        <li key={i} data-title={v.display.title ?? ''}>
          {formattedValueToString(v.display)}
        </li>
      ))}
    </ol>
  );
}

/** Prints what a real panel shows: per frame, each field's display name and the display text of its values. */
function PrintedPanel(props: PanelProps<object>) {
  const { data, options, fieldConfig } = props;
  if (!data.series.length || data.series.every((frame) => frame.length === 0)) {
    // What Grafana's panels show without data: the panel's no-value text, else 'No data'.
    const noValue = fieldConfig.defaults.noValue;
    return <div data-testid="no-data">{noValue ?? 'No data'}</div>;
  }
  return (
    <div data-testid="panel-data" data-options={JSON.stringify(options)}>
      {data.series.map((frame, i) => (
        <table key={i}>
          <thead>
            <tr>
              {frame.fields.map((field, j) => (
                <th key={j}>{getFieldDisplayName(field, frame, data.series)}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {Array.from({ length: frame.length }, (_, row) => (
              <tr key={row}>
                {frame.fields.map((field, j) => {
                  const shown = field.display ? field.display(field.values[row]) : undefined;
                  return (
                    <td key={j} data-color={shown?.color}>
                      {shown ? formattedValueToString(shown) : String(field.values[row] ?? '')}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      ))}
      <DisplayValues {...props} />
    </div>
  );
}

const PANEL_IDS = ['stat', 'table', 'timeseries', 'barchart', 'bargauge', 'piechart', 'text'];

function panelPlugin(id: string): PanelPlugin {
  const plugin = new PanelPlugin(PrintedPanel).useFieldConfig({
    // The table panel's own cell options (colour-background cells and so on); the charts' axis labels.
    useCustomConfig: (builder) => {
      if (['barchart', 'timeseries'].includes(id)) {
        builder.addCustomEditor({
          id: 'axisLabel',
          path: 'axisLabel',
          name: 'Axis label',
          editor: () => null,
          override: () => null,
          process: identityOverrideProcessor,
          shouldApply: () => true,
        });
      }
      if (id === 'table') {
        builder.addCustomEditor({
          id: 'cellOptions',
          path: 'cellOptions',
          name: 'Cell options',
          editor: () => null,
          override: () => null,
          process: identityOverrideProcessor,
          shouldApply: () => true,
        });
      }
    },
  });
  plugin.meta = { id, name: id, type: 'panel', module: '', baseUrl: '', info: {} } as PanelPlugin['meta'];
  return plugin;
}

let panelsInstalled = false;

/** The stand-in panels, installed once per test file (runtime allows setting the importer only once). */
export function installPanelPlugins() {
  if (panelsInstalled) {
    return;
  }
  panelsInstalled = true;
  registerStandardFieldConfig();
  const plugins = new Map(PANEL_IDS.map((id) => [id, panelPlugin(id)]));
  setPluginImportUtils({
    importPanelPlugin: async (id: string) => {
      const plugin = plugins.get(id);
      if (!plugin) {
        throw new Error(`no stand-in for panel ${id}`);
      }
      return plugin;
    },
    getPanelPluginFromCache: (id: string) => plugins.get(id),
  });
}
