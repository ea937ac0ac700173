/** The inspect drawer's tabs, as the `inspectTab` URL parameter names them (Grafana's names). */
export const INSPECT_TABS = [
  { id: 'data', label: 'Data' },
  { id: 'query', label: 'Query' },
  { id: 'json', label: 'Panel JSON' },
] as const;

export type InspectTab = (typeof INSPECT_TABS)[number]['id'];

/** A tab from a URL value: anything but a known tab name opens the Data tab. */
export const parseInspectTab = (value: unknown): InspectTab =>
  INSPECT_TABS.find((tab) => tab.id === value)?.id ?? 'data';
