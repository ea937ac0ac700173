import {
  FieldConfigProperty,
  ThresholdsMode,
  booleanOverrideProcessor,
  dataLinksOverrideProcessor,
  displayNameOverrideProcessor,
  identityOverrideProcessor,
  numberOverrideProcessor,
  standardFieldConfigEditorRegistry,
  stringOverrideProcessor,
  thresholdsOverrideProcessor,
  unitOverrideProcessor,
  valueMappingsOverrideProcessor,
  type FieldConfigPropertyItem,
} from '@grafana/data';

let registered = false;

type Processor = FieldConfigPropertyItem['process'];

/**
 * Fills Grafana's standard field-config registry (unit, min, max, decimals, display name, no value, thresholds,
 * mappings, links, colour, ...) the way Grafana does at boot, with @grafana/data's own processors. Without it a
 * panel plugin knows no standard option and scenes drop every default and override as unknown. The editors only
 * matter to the panel editor UI, which nothing here renders.
 */
export function registerStandardFieldConfig(): void {
  if (registered) {
    return;
  }
  registered = true;
  const item = (id: string, process: Processor, defaultValue?: unknown): FieldConfigPropertyItem => ({
    id,
    path: id,
    name: id,
    process,
    defaultValue,
    shouldApply: () => true,
    editor: () => null,
    override: () => null,
  });
  standardFieldConfigEditorRegistry.setInit(() => [
    item(FieldConfigProperty.Unit, unitOverrideProcessor),
    item(FieldConfigProperty.Min, numberOverrideProcessor),
    item(FieldConfigProperty.Max, numberOverrideProcessor),
    item(FieldConfigProperty.FieldMinMax, booleanOverrideProcessor),
    item(FieldConfigProperty.Decimals, numberOverrideProcessor),
    item(FieldConfigProperty.DisplayName, displayNameOverrideProcessor),
    item(FieldConfigProperty.NoValue, stringOverrideProcessor),
    item(FieldConfigProperty.Color, identityOverrideProcessor, { mode: 'thresholds' }),
    item(FieldConfigProperty.Thresholds, thresholdsOverrideProcessor, {
      mode: ThresholdsMode.Absolute,
      steps: [
        { value: -Infinity, color: 'green' },
        { value: 80, color: 'red' },
      ],
    }),
    item(FieldConfigProperty.Mappings, valueMappingsOverrideProcessor, []),
    item(FieldConfigProperty.Links, dataLinksOverrideProcessor),
    item(FieldConfigProperty.Actions, identityOverrideProcessor),
    item(FieldConfigProperty.Filterable, booleanOverrideProcessor),
  ]);
}
