import type { DataTransformerConfig } from '@grafana/data';
import type { VizPanel } from '@grafana/scenes';
import type { PromQuery } from '../../../data/promQuery';

/**
 * A panel's queries and transformations as a panel of its own would have them, for a panel whose page derives it
 * from a runner it shares with others through custom steps (code, which a dashboard's JSON cannot hold): the
 * Overview's stats and bars from its one count query. The bundled dashboard and the Panel JSON write this form.
 */
export interface StandaloneForm {
  targets: PromQuery[];
  transformations: DataTransformerConfig[];
}

const forms = new WeakMap<VizPanel, StandaloneForm>();

export function withStandaloneForm(panel: VizPanel, form: StandaloneForm): VizPanel {
  forms.set(panel, form);
  return panel;
}

export function standaloneFormOf(panel: VizPanel): StandaloneForm | undefined {
  return forms.get(panel);
}
