import { FieldColorModeId, MappingType, SpecialValueMatch, type ValueMapping } from '@grafana/data';
import type { FieldConfigOverridesBuilder } from '@grafana/scenes';
import {
  BigValueColorMode,
  BigValueGraphMode,
  BigValueTextMode,
  TableCellBackgroundDisplayMode,
  TableCellDisplayMode,
  type TableFieldOptions,
} from '@grafana/schema';
import { STATES, stateValueMappings, type StateInfo } from '../../metric/contract';

// Plain values only in the constants below: the bundled dashboard (src/dashboards/generate.ts) writes them as JSON.

/** refId of a per-state query: the state's name, so overrides and tests can address it. */
export const stateRefId = (state: StateInfo) => state.name;

/** A state's fixed colour, as a field's `color` config. */
export const stateColor = (state: StateInfo) => ({ mode: FieldColorModeId.Fixed, fixedColor: state.color });

/**
 * Table cells showing a state: a solid background in the state's colour (from the value mapping). Solid, not the
 * default gradient: the gradient is drawn even for a transparent colour, so a cell without a state would still get
 * a background image; a solid transparent one is no paint at all.
 */
export const STATE_CELL_OPTIONS = Object.freeze({
  type: TableCellDisplayMode.ColorBackground,
  mode: TableCellBackgroundDisplayMode.Basic,
});

/** A per-state stat: the number alone on the state's colour. */
export const STATE_STAT_OPTIONS = Object.freeze({
  colorMode: BigValueColorMode.Background,
  graphMode: BigValueGraphMode.None,
  textMode: BigValueTextMode.Value,
  reduceOptions: { calcs: ['lastNotNull'], values: false, fields: '' },
});

/**
 * Per state: its fields get the state's display name and its one fixed colour. Fields are matched by the query
 * they come from, or by name where a transformation has already named them after the state.
 */
export function stateOverrides(states: readonly StateInfo[] = STATES, matchBy: 'query' | 'name' = 'query') {
  return (builder: FieldConfigOverridesBuilder<object>) => {
    for (const state of states) {
      const matched =
        matchBy === 'query' ? builder.matchFieldsByQuery(stateRefId(state)) : builder.matchFieldsWithName(state.name);
      matched.overrideDisplayName(state.name).overrideColor(stateColor(state));
    }
  };
}

/**
 * A cell with no state (a matrix pair without an instance is null): no text and no colour. Without it the
 * colour-background cell takes the field's colour scheme for null, whose default thresholds start green, which is
 * Running's colour.
 */
export const NO_STATE_CELL_MAPPING: ValueMapping = Object.freeze({
  type: MappingType.SpecialValue,
  options: { match: SpecialValueMatch.NullAndNaN, result: { text: '', color: 'transparent' } },
});

/**
 * A stat with nothing to show ("No data"): no colour. With no field there is no state override, so the stat would
 * be painted with the default thresholds' base, green, which reads as "all fine".
 */
export const NO_DATA_STAT_MAPPING: ValueMapping = Object.freeze({
  type: MappingType.SpecialValue,
  options: { match: SpecialValueMatch.NullAndNaN, result: { color: 'transparent' } },
});

/**
 * A state cell's fill: the state's hue, dark enough (or, for Pending's yellow, light enough) that the table's text
 * on it (light on dark fills, dark on bright ones) reads at 4.5:1 or more in both themes. The states' own colours
 * (Running's green is #73BF69) carry light text at about 2:1.
 */
const STATE_CELL_FILLS: Readonly<Record<string, string>> = Object.freeze({
  Pending: 'yellow',
  Running: '#2D7A24',
  Deleted: 'dark-blue',
  Error: 'dark-red',
});

/** The state mappings (name and colour per value) with the cells' readable fills. */
function stateCellMappings(): ValueMapping[] {
  return stateValueMappings().map((mapping) =>
    mapping.type === MappingType.ValueToText
      ? {
          ...mapping,
          options: Object.fromEntries(
            Object.entries(mapping.options).map(([value, result]) => [
              value,
              { ...result, color: STATE_CELL_FILLS[result.text ?? ''] ?? result.color },
            ])
          ),
        }
      : mapping
  );
}

/**
 * Table cells of the fields `matched` selects show a state value by its name, on a fill of its colour, and nothing
 * on no colour where there is no state. Applied to the state fields only, so a label value that happens to read "1"
 * (a username, say) is never shown as a state.
 */
export function stateCells(matched: FieldConfigOverridesBuilder<TableFieldOptions>) {
  return matched
    .overrideMappings([...stateCellMappings(), NO_STATE_CELL_MAPPING])
    .overrideCustomFieldConfig('cellOptions', STATE_CELL_OPTIONS);
}
