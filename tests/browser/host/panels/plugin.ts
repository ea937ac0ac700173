/**
 * Builds a panel plugin the way Grafana's core panels declare themselves (PanelPlugin + field config), without
 * Grafana's option editors: the host never shows the panel editor, so each custom option is registered with an
 * identity processor and its default, which is what field config defaults and overrides need.
 */
import type { ComponentType } from 'react';
import { FieldConfigProperty, identityOverrideProcessor, PanelPlugin, type PanelProps } from '@grafana/data';

export interface PanelDefinition<O extends object> {
  id: string;
  component: ComponentType<PanelProps<O>>;
  /** Panel options' defaults (Grafana's panels give them through their option builders). */
  options: O;
  /** custom.<path> field options with their defaults. */
  custom?: Record<string, unknown>;
  /** Standard option defaults that differ from the registry's (e.g. the time series' classic palette). */
  standardDefaults?: Partial<Record<FieldConfigProperty, unknown>>;
}

export function definePanel<O extends object>(d: PanelDefinition<O>): PanelPlugin<O> {
  const plugin = new PanelPlugin<O>(d.component)
    .setPanelOptions((builder) => {
      for (const [path, defaultValue] of Object.entries(d.options)) {
        builder.addCustomEditor({ id: path, path, name: path, editor: () => null, defaultValue });
      }
    })
    .useFieldConfig({
      standardOptions: Object.fromEntries(
        Object.entries(d.standardDefaults ?? {}).map(([k, defaultValue]) => [k, { defaultValue }])
      ),
      useCustomConfig: (builder) => {
        for (const [path, defaultValue] of Object.entries(d.custom ?? {})) {
          builder.addCustomEditor({
            id: path,
            path,
            name: path,
            editor: () => null,
            override: () => null,
            process: identityOverrideProcessor,
            shouldApply: () => true,
            defaultValue,
          });
        }
      },
    });
  plugin.meta = {
    id: d.id,
    name: d.id,
    type: 'panel',
    module: `core:plugin/${d.id}`,
    baseUrl: '',
    info: {},
  } as PanelPlugin['meta'];
  return plugin;
}
