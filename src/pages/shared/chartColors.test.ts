import { createTheme, FieldType, type DataFrame } from '@grafana/data';
import { STATES } from '../../metric/contract';
import { CATEGORY_COLORS, NEUTRAL_COLOR, QUANTILE_COLORS, QUANTITY_COLOR, colorCategories } from './chartColors';

describe('chart colours', () => {
  it.each(['dark', 'light'] as const)('are neither a state colour nor each other (%s theme)', (mode) => {
    const resolve = createTheme({ colors: { mode } }).visualization.getColorByName;
    const states = STATES.map((s) => resolve(s.color).toLowerCase());
    const categories = CATEGORY_COLORS.map((c) => resolve(c).toLowerCase());
    const quantity = resolve(QUANTITY_COLOR).toLowerCase();
    expect(new Set(categories).size).toBe(categories.length);
    const quantiles = QUANTILE_COLORS.map((c) => resolve(c).toLowerCase());
    expect(new Set(quantiles).size).toBe(quantiles.length);
    for (const c of [...categories, quantity, ...quantiles, resolve(NEUTRAL_COLOR).toLowerCase()]) {
      expect(states).not.toContain(c);
    }
    expect(categories).not.toContain(quantity);
  });

  it('gives each category its colour by name order, whatever order the frames come in', () => {
    const frame = (category: string): DataFrame => ({
      length: 1,
      fields: [{ name: 'Value', type: FieldType.number, labels: { category }, config: {}, values: [1] }],
    });
    const colour = (frames: DataFrame[]) =>
      Object.fromEntries(
        colorCategories(frames, 'category').map((f) => [f.fields[0].labels!.category, f.fields[0].config.color])
      );
    const fixed = (i: number) => ({ mode: 'fixed', fixedColor: CATEGORY_COLORS[i] });
    expect(colour([frame('web'), frame('pwn'), frame('crypto')])).toEqual({
      crypto: fixed(0),
      pwn: fixed(1),
      web: fixed(2),
    });
  });
});
