/** Reading what the stand-in panels (printed-panels.tsx) print on a rendered page. */
import { screen } from '@testing-library/react';

/** The panel section titled `title` (PanelChrome labels its section with the title). */
export const panelSection = (title: string) => screen.getByRole('region', { name: title });

/** The cells a rendered panel prints, row by row (header row first); [] when it shows its no-data text. */
export function printedRows(title: string): string[][] {
  const table = panelSection(title).querySelector('[data-testid="panel-data"] table');
  if (!table) {
    return [];
  }
  return [...table.querySelectorAll('tr')].map((tr) =>
    [...tr.querySelectorAll('th,td')].map((c) => c.textContent ?? '')
  );
}

/** The colour a printed cell was given by the field config (mapping, override or thresholds). */
export function printedColor(title: string, text: string): string | undefined {
  const cell = [...panelSection(title).querySelectorAll('td')].find((td) => td.textContent === text);
  return cell?.getAttribute('data-color') ?? undefined;
}

/** Every value cell a rendered panel prints, row by row: its text and the colour the field config gave it. */
export function printedCells(title: string): Array<Array<{ text: string; color?: string }>> {
  const table = panelSection(title).querySelector('[data-testid="panel-data"] table');
  return [...(table?.querySelectorAll('tbody tr') ?? [])].map((tr) =>
    [...tr.querySelectorAll('td')].map((td) => ({
      text: td.textContent ?? '',
      color: td.getAttribute('data-color') ?? undefined,
    }))
  );
}

/** The no-data text a rendered panel shows, if it shows one. */
export function printedNoData(title: string): string | undefined {
  return panelSection(title).querySelector('[data-testid="no-data"]')?.textContent ?? undefined;
}

/** Per printed series (a table per frame): its display name and the colour its first value is drawn in. */
export function printedSeriesColors(title: string): Record<string, string | undefined> {
  return Object.fromEntries(
    [...panelSection(title).querySelectorAll('[data-testid="panel-data"] table')].map((table) => [
      table.querySelectorAll('th')[1]?.textContent ?? '',
      table.querySelector('tbody td:nth-child(2)')?.getAttribute('data-color') ?? undefined,
    ])
  );
}

/** The values a panel drawing every row shows (a bar gauge's bars, in order): each one's name and text. */
export function printedDisplayValues(title: string): Array<[string, string]> {
  return [...panelSection(title).querySelectorAll('[data-testid="display-values"] li')].map((li) => [
    li.getAttribute('data-title') ?? '',
    li.textContent ?? '',
  ]);
}
