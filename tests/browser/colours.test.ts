/**
 * Colours and no-data texts as a person sees them in the built app (Chromium, the host page, the fixture's
 * Prometheus: challenge_resource_status, challenge_info and the requests, and no lifecycle or controller metrics).
 * A missing figure must not look like a figure (a green "No data", a flat 0 line, a huge green message), and
 * figures that are no state (categories, counts of users) must not take a state's colour.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Locator } from 'playwright-core';
import { panel } from './dom.ts';
import { openPage, type OpenedPage } from './pageProbe.ts';
import { startRig, type Rig } from './rig.ts';
import { saveScreenshot } from './screenshots.ts';

const APP = '/a/hexactf-challenges-app';

/**
 * The states' colours (src/metric/contract.ts: yellow, green, blue, red) as Grafana's theme draws them
 * (#FADE2A, #73BF69, #5794F2, #F2495C), by hue: a paint within HUE_TOLERANCE degrees of one, and saturated, reads
 * as that state (the classic palette's semi-dark-yellow #F2CC0C reads as Pending).
 */
const STATE_HUES: Record<string, number> = { Pending: 52, Running: 113, Deleted: 218, Error: 353 };
const HUE_TOLERANCE = 15;

interface Rgba {
  r: number;
  g: number;
  b: number;
  a: number;
}

/** Every rgb()/rgba() colour in a computed style value (a colour, a gradient). */
function colours(css: string): Rgba[] {
  return [...css.matchAll(/rgba?\(([^)]+)\)/g)].map(([, inner]) => {
    const [r, g, b, a = 1] = inner
      .split(/[\s,/]+/)
      .filter(Boolean)
      .map(Number);
    return { r, g, b, a };
  });
}

/** Hue (degrees) and saturation (0..1, HSL) of a colour. */
function hueOf({ r, g, b }: Rgba): { hue: number; saturation: number } {
  const [rn, gn, bn] = [r / 255, g / 255, b / 255];
  const max = Math.max(rn, gn, bn);
  const min = Math.min(rn, gn, bn);
  const d = max - min;
  const l = (max + min) / 2;
  const saturation = d === 0 ? 0 : d / (1 - Math.abs(2 * l - 1));
  let hue = 0;
  if (d !== 0) {
    hue = max === rn ? ((gn - bn) / d) % 6 : max === gn ? (bn - rn) / d + 2 : (rn - gn) / d + 4;
  }
  return { hue: (hue * 60 + 360) % 360, saturation };
}

/** The state a visible colour reads as, if any. */
function stateOf(c: Rgba): string | undefined {
  if (c.a < 0.05) {
    return undefined;
  }
  const { hue, saturation } = hueOf(c);
  if (saturation < 0.3) {
    return undefined;
  }
  return Object.entries(STATE_HUES).find(([, h]) => {
    const diff = Math.abs(hue - h) % 360;
    return Math.min(diff, 360 - diff) <= HUE_TOLERANCE;
  })?.[0];
}

/** The paints inside a panel's content (below its header): backgrounds, gradients, SVG fills. */
async function paints(section: Locator): Promise<string[]> {
  return section.evaluate((el) => {
    const content = el.querySelector('[data-testid="data-testid panel content"]') ?? el;
    const out: string[] = [];
    for (const node of content.querySelectorAll('*')) {
      const style = getComputedStyle(node);
      if (style.backgroundImage !== 'none') {
        out.push(style.backgroundImage);
      }
      out.push(style.backgroundColor);
      if (node instanceof SVGElement && ['path', 'rect', 'circle'].includes(node.tagName)) {
        out.push(style.fill);
      }
    }
    return out;
  });
}

/** The states the paints of a panel read as. */
async function statePaints(section: Locator): Promise<string[]> {
  return [
    ...new Set(
      (await paints(section))
        .flatMap(colours)
        .map(stateOf)
        .filter((s): s is string => s !== undefined)
    ),
  ].sort();
}

let rig: Rig | undefined;

before(async () => {
  rig = await startRig({ subPath: false });
});

after(async () => {
  await rig?.stop();
});

function pageAt(path: string) {
  let opened: OpenedPage | undefined;
  before(async () => {
    opened = await openPage(rig!.browser.context, rig!.root.url, path);
  });
  after(async () => {
    await opened?.close();
  });
  return () => opened!;
}

describe('Lifecycle: no data looks like no data', () => {
  const page = pageAt(`${APP}/lifecycle`);

  it('paints "No data" of the reconcile errors on no colour (not the thresholds\' green)', async () => {
    const section = panel(page().page, 'Reconcile errors in the range');
    assert.ok((await section.innerText()).includes('No data'));
    const shown = (await paints(section)).flatMap(colours).filter((c) => c.a >= 0.05);
    assert.deepEqual(
      shown.map(stateOf).filter(Boolean),
      [],
      `paints: ${(await paints(section)).filter((p) => p !== 'rgba(0, 0, 0, 0)').join(' | ')}`
    );
  });

  // The fixture has no lifecycle metrics: the panels that read them say No data (not "No instance ended in the
  // range", which would say the event had none), in modest text of the text colour.
  it('says "No data" for the instance lifetime in modest text of the text colour, not a huge green value', async () => {
    const text = panel(page().page, 'Instance lifetime').getByText('No data', { exact: true });
    const { fontSize, color } = await text.evaluate((el) => {
      const style = getComputedStyle(el);
      return { fontSize: parseFloat(style.fontSize), color: style.color };
    });
    assert.ok(fontSize <= 32, `font size ${fontSize} px`);
    assert.deepEqual(colours(color).map(stateOf).filter(Boolean), [], `colour ${color}`);
  });

  it('shows the transitions per minute as no data, not flat 0 lines, without lifecycle metrics', async () => {
    const section = panel(page().page, 'Opens, failures and deletions per minute');
    assert.equal(await section.locator('canvas').count(), 0, 'a chart is drawn');
    assert.ok((await section.innerText()).includes('No data'), await section.innerText());
  });

  it('says No data for Time to Running without lifecycle metrics, not that no instance got Running', async () => {
    const section = panel(page().page, 'Time to Running');
    assert.equal(await section.locator('canvas').count(), 0, 'an empty chart is drawn');
    const text = await section.innerText();
    assert.ok(text.includes('No data'), text);
    assert.ok(!text.includes('No instance got Running'), text);
  });

  it('is saved as a screenshot (lifecycle-colours)', async () => {
    await saveScreenshot(page().page, 'lifecycle-colours', 'dark');
  });
});

describe('Usage: categories and counts in no state colour', () => {
  const page = pageAt(`${APP}/usage`);

  for (const title of [
    'Share of running instances per category',
    'Running instances per category',
    'Top users by peak concurrent instances',
    'Users by their peak concurrent instances',
  ]) {
    it(`paints "${title}" in no state's colour`, async () => {
      const section = panel(page().page, title);
      assert.ok((await paints(section)).length > 0);
      assert.deepEqual(await statePaints(section), []);
    });
  }

  it('gives each category a different colour in the pie', async () => {
    const fills = await panel(page().page, 'Share of running instances per category')
      .locator('svg[role="img"] path, svg[role="img"] circle')
      .evaluateAll((els) => els.map((e) => getComputedStyle(e).fill));
    assert.ok(fills.length >= 2, `${fills.length} slices`);
    assert.equal(new Set(fills).size, fills.length, fills.join(', '));
  });

  it('is saved as a screenshot (usage-colours)', async () => {
    await saveScreenshot(page().page, 'usage-colours', 'dark');
  });
});
