/**
 * Colours of the figures that are not instance states. The four states own yellow (Pending), green (Running), blue
 * (Deleted) and red (Error) on every page (src/metric/contract.ts), so a chart of something else must not use them:
 * a category drawn in Pending's yellow, or a count of users in Running's green, reads as a state. Grafana's default
 * colours do exactly that (a panel's default thresholds start green; the classic palette starts green, yellow,
 * blue, then orange, red), hence the fixed choices below.
 */
import { FieldColorModeId, type CustomTransformOperator, type DataFrame } from '@grafana/data';
import { type FieldConfigOverridesBuilder } from '@grafana/scenes';
import { map } from 'rxjs';

/** Counts, shares and durations that are no state (bars of the Usage and Lifecycle pages): one colour, no state's. */
export const QUANTITY_COLOR = 'purple';

/** The quantity colour as a field's `color` config. */
export const quantityColor = () => ({ mode: FieldColorModeId.Fixed, fixedColor: QUANTITY_COLOR });

/**
 * Quantiles of one quantity (p50, p90, p99), in this order: light to dark shades of the quantity colour, far enough
 * apart to tell the lines apart (Grafana's "shades" mode varies them by a few percent only), not the classic
 * palette's green, yellow and blue.
 */
export const QUANTILE_COLORS: readonly string[] = Object.freeze(['super-light-purple', 'purple', 'dark-purple']);

/** A count drawn beside quantiles (the work queue's depth): grey, neither a state nor the quantiles' colour. */
export const NEUTRAL_COLOR = '#8E8E8E';

/** Overrides giving the queries `refIds` (quantiles, in ascending order) QUANTILE_COLORS. */
export function quantileColors(refIds: string[]) {
  return (b: FieldConfigOverridesBuilder<object>) => {
    refIds.forEach((refId, i) =>
      b
        .matchFieldsByQuery(refId)
        .overrideColor({ mode: FieldColorModeId.Fixed, fixedColor: QUANTILE_COLORS[i % QUANTILE_COLORS.length] })
    );
  };
}

/**
 * Categories, one colour each: distinct hues or shades that are no state's and not the quantity colour (orange,
 * teal, pink, brown, grey, sand, dark teal, plum), then the same list again for a ninth category and on.
 */
export const CATEGORY_COLORS: readonly string[] = Object.freeze([
  'orange',
  '#1FA2A0',
  '#E0609F',
  '#A6703E',
  '#8E8E8E',
  '#D9B99B',
  '#176F6E',
  '#9C4F85',
]);

/**
 * Gives each category (the value of `label` on the frames' number fields) a colour of CATEGORY_COLORS, in the
 * categories' name order: the same category gets the same colour in every panel that uses this step, whatever
 * order Prometheus answers in. A custom step (it runs in the app, not in a dashboard's JSON).
 */
export function colorCategories(frames: DataFrame[], label: string): DataFrame[] {
  const names = [
    ...new Set(frames.flatMap((frame) => frame.fields.map((f) => f.labels?.[label]).filter((v) => v !== undefined))),
  ].sort();
  return frames.map((frame) => ({
    ...frame,
    fields: frame.fields.map((field) => {
      const name = field.labels?.[label];
      if (name === undefined) {
        return field;
      }
      const fixedColor = CATEGORY_COLORS[names.indexOf(name) % CATEGORY_COLORS.length];
      return { ...field, config: { ...field.config, color: { mode: FieldColorModeId.Fixed, fixedColor } } };
    }),
  }));
}

export const colorCategoriesOperator =
  (label: string): CustomTransformOperator =>
  () =>
    map((frames: DataFrame[]) => colorCategories(frames, label));
