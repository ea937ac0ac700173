/** What a person reads on a page, taken from the DOM: panels by their title, table cells, labels, layout. */
import type { Locator, Page } from 'playwright-core';

/** A panel: PanelChrome's section, found by the title a person reads. */
export const panel = (page: Page, title: string): Locator =>
  page.locator(`section[data-testid="data-testid Panel header ${title}"]`);

export async function panelTitles(page: Page): Promise<string[]> {
  return page.locator('section[data-testid^="data-testid Panel header "] h2').allInnerTexts();
}

/** A table panel's rows as text, header row first (TableNG's grid roles). */
export async function tableRows(page: Page, title: string): Promise<string[][]> {
  return panel(page, title).evaluate((section) =>
    [...section.querySelectorAll('[role="row"]')].map((row) =>
      [...row.querySelectorAll('[role="columnheader"],[role="gridcell"]')].map((c) =>
        (c as HTMLElement).innerText.trim()
      )
    )
  );
}

/** Rows as objects keyed by the header texts. */
export async function tableRecords(page: Page, title: string): Promise<Array<Record<string, string>>> {
  const [header = [], ...rows] = await tableRows(page, title);
  return rows.map((cells) => Object.fromEntries(header.map((h, i) => [h, cells[i] ?? ''])));
}

export interface CellPaint {
  text: string;
  backgroundColor: string;
  backgroundImage: string;
  tableBackground: string;
}

/** How the cell at (row whose first cell reads `rowLabel`, column headed `column`) is painted. */
export async function cellPaint(page: Page, title: string, rowLabel: string, column: string): Promise<CellPaint> {
  return panel(page, title).evaluate(
    (section, [rowText, columnText]) => {
      const grid = section.querySelector('[role="grid"]')!;
      const headers = [...grid.querySelectorAll('[role="columnheader"]')].map((h) =>
        (h as HTMLElement).innerText.trim()
      );
      const index = headers.indexOf(columnText);
      const row = [...grid.querySelectorAll('[role="row"]')].find(
        (r) => (r.querySelector('[role="gridcell"]') as HTMLElement | null)?.innerText.trim() === rowText
      );
      const cell = row?.querySelectorAll('[role="gridcell"]')[index] as HTMLElement | undefined;
      if (!cell || index < 0) {
        throw new Error(`no cell (${rowText}, ${columnText}); headers ${headers.join(', ')}`);
      }
      const style = getComputedStyle(cell);
      return {
        text: cell.innerText.trim(),
        backgroundColor: style.backgroundColor,
        backgroundImage: style.backgroundImage,
        tableBackground: getComputedStyle(grid).backgroundColor,
      };
    },
    [rowLabel, column]
  );
}

/**
 * The blank band above the first panel: from the bottom of the last visible thing before it (a control, a
 * notice's text) to the panel's top, in CSS pixels.
 */
export async function bandAboveFirstPanel(page: Page): Promise<number> {
  return page.evaluate(() => {
    const first = document.querySelector('section[data-testid^="data-testid Panel header "]');
    if (!first) {
      throw new Error('no panel on the page');
    }
    const top = first.getBoundingClientRect().top;
    let bottom = 0;
    for (const el of document.querySelectorAll('[data-host-page] *')) {
      if (first.contains(el) || !(first.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_PRECEDING)) {
        continue;
      }
      const rect = el.getBoundingClientRect();
      const visible = rect.height > 0 && rect.width > 0 && getComputedStyle(el).visibility !== 'hidden';
      const content =
        ['BUTTON', 'INPUT', 'svg', 'IMG'].includes(el.tagName) ||
        [...el.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.textContent!.trim() !== '');
      if (visible && content && rect.bottom <= top) {
        bottom = Math.max(bottom, rect.bottom);
      }
    }
    return Math.round(top - bottom);
  });
}

/** Texts in a panel that a person sees cut: ending in an ellipsis, or wider than their box. */
export async function cutTexts(page: Page, title: string): Promise<string[]> {
  return panel(page, title).evaluate((section) => {
    const cut: string[] = [];
    for (const el of section.querySelectorAll('*')) {
      const own = [...el.childNodes]
        .filter((n) => n.nodeType === Node.TEXT_NODE)
        .map((n) => n.textContent!.trim())
        .join('');
      if (!own) {
        continue;
      }
      const html = el as HTMLElement;
      const overflowing = html.scrollWidth > html.clientWidth + 1 && getComputedStyle(html).overflow !== 'visible';
      if (own.endsWith('…') || own.endsWith('...') || overflowing) {
        cut.push(own);
      }
    }
    return cut;
  });
}

/** The category labels under a bar chart's groups. */
export async function barGroupLabels(page: Page, title: string): Promise<string[]> {
  return panel(page, title).locator('[data-host-x-label]').allTextContents();
}

/** The value printed on each bar of a group, keyed by legend order. */
export async function barValues(page: Page, title: string): Promise<Record<string, string[]>> {
  return panel(page, title).evaluate((section) =>
    Object.fromEntries(
      [...section.querySelectorAll('[data-host-bar-group]')].map((g) => [
        g.getAttribute('data-host-bar-group')!,
        [...g.querySelectorAll('text:not([data-host-x-label])')].map((t) => t.textContent ?? ''),
      ])
    )
  );
}

/** The parameters of the page's URL, each with how often it appears. */
export function urlParameterCounts(url: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const key of new URL(url).searchParams.keys()) {
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

export interface PanelLegend {
  /** The series a table legend names, in its row order (empty when the panel has no table legend). */
  names: string[];
  /** Whether the legend sits to the right of the plot (its left edge at or past the plot's right edge). */
  besidePlot: boolean;
}

/** A panel's table legend (VizLegend's table: an HTML table, unlike TableNG's grid) and where it sits. */
export async function tableLegend(page: Page, title: string): Promise<PanelLegend> {
  return panel(page, title).evaluate((section) => {
    const table = section.querySelector('table');
    if (!table) {
      return { names: [], besidePlot: false };
    }
    // A row's first text is its series' name (the calculations, when the legend has any, follow it).
    const names = [...table.querySelectorAll('tbody tr')].map(
      (r) =>
        (r as HTMLElement).innerText
          .split(/[\t\n]/)
          .map((t) => t.trim())
          .find(Boolean) ?? ''
    );
    const plot = section.querySelector('canvas, svg[role="img"]');
    const besidePlot = !!plot && table.getBoundingClientRect().left >= plot.getBoundingClientRect().right - 1;
    return { names, besidePlot };
  });
}

/**
 * How far (px, vertically) the Refresh button sits from the time picker it refreshes: 0 when they share a row, a
 * row's height or more when the controls wrapped between them.
 */
export async function refreshOffsetFromTimePicker(page: Page): Promise<number> {
  return page.evaluate(() => {
    const picker = document.querySelector('[data-testid="data-testid TimePicker Open Button"]');
    const refresh = [...document.querySelectorAll('button')].find((b) => b.innerText.trim() === 'Refresh');
    if (!picker || !refresh) {
      throw new Error(`time picker ${!!picker}, refresh button ${!!refresh}`);
    }
    return Math.round(Math.abs(refresh.getBoundingClientRect().top - picker.getBoundingClientRect().top));
  });
}

/** A bar chart's axis labels: the value axis' and the x axis' ('' where there is none). */
export async function barAxisLabels(page: Page, title: string): Promise<{ value: string; x: string }> {
  return panel(page, title).evaluate((section) => {
    const read = (axis: string) => section.querySelector(`[data-host-axis-label="${axis}"]`)?.textContent ?? '';
    return { value: read('value'), x: read('x') };
  });
}

/**
 * The controls whose icon drew nothing (an SVG without shapes: an icon the host could not serve), named by their
 * accessible label or text; [] when every visible icon has a shape.
 */
export async function blankIcons(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll('svg')]
      .filter(
        (svg) =>
          svg.getBoundingClientRect().width > 0 && svg.querySelector('path, circle, rect, polygon, line, g') === null
      )
      .map((svg) => {
        const control = svg.closest('button, a, [role="button"], label') ?? svg.parentElement!;
        return (
          control.getAttribute('aria-label') ??
          control.getAttribute('title') ??
          (control.textContent?.trim() || control.outerHTML.slice(0, 80))
        );
      })
  );
}

/** Where each of `texts` is drawn in a panel (the innermost element whose own text it is), in the order given. */
export async function textBoxes(
  page: Page,
  title: string,
  texts: string[]
): Promise<Array<{ text: string; left: number; top: number } | undefined>> {
  return panel(page, title).evaluate((section, wanted) => {
    const elements = [...section.querySelectorAll('*')];
    return wanted.map((text) => {
      const el = elements.find((e) =>
        [...e.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.textContent!.trim() === text)
      );
      const box = el?.getBoundingClientRect();
      return box && { text, left: Math.round(box.left), top: Math.round(box.top) };
    });
  }, texts);
}
