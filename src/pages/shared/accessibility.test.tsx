import React from 'react';
import { render } from '@testing-library/react';
import axe from 'axe-core';
import { VizPanel, sceneGraph, type EmbeddedScene } from '@grafana/scenes';
import { VizLegend } from '@grafana/ui';
import { DEFAULT_SETTINGS } from '../../settings/settings';
import { renderScene, setupHarness } from '../../test/scene-harness';
import { lifecycleScene } from '../Lifecycle/lifecyclePage';
import { overviewScene } from '../Overview/overviewPage';
import { triageScene } from '../Triage/triagePage';
import { usageScene } from '../Usage/usagePage';
import { userScene } from '../UsersChallenges/userPage';
import { usersChallengesScene } from '../UsersChallenges/usersChallengesPage';

const PAGES: Array<[string, () => EmbeddedScene]> = [
  ['Overview', () => overviewScene(DEFAULT_SETTINGS)],
  ['Users x Challenges', () => usersChallengesScene(DEFAULT_SETTINGS)],
  ['user page', () => userScene(DEFAULT_SETTINGS, 'alice')],
  ['Usage', () => usageScene(DEFAULT_SETTINGS)],
  ['Triage', () => triageScene(DEFAULT_SETTINGS)],
  ['Lifecycle', () => lifecycleScene(DEFAULT_SETTINGS)],
];

/** The axe-core rules' violations in `element`, as "rule: html" lines. */
async function violations(element: Element, rules: string[]): Promise<string[]> {
  const result = await axe.run(element, { runOnly: { type: 'rule', values: rules } });
  return result.violations.flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.html}`));
}

/** The panels that draw @grafana/ui's legend. */
const LEGEND_PANELS = ['timeseries', 'barchart', 'piechart'];

describe('accessibility', () => {
  it.each(PAGES)('%s: every button and link has a name (the refresh button too)', async (_, scene) => {
    setupHarness();
    const { container } = await renderScene(scene());
    expect(await violations(container, ['button-name', 'link-name'])).toEqual([]);
  });

  it.each(PAGES)("%s: the panels' legends name each series' button by the series", async (_, build) => {
    setupHarness();
    const scene = build();
    await renderScene(scene);
    const panels = sceneGraph.findAllObjects(
      scene,
      (o) => o instanceof VizPanel && LEGEND_PANELS.includes(o.state.pluginId)
    ) as VizPanel[];
    for (const panel of panels) {
      const legend = (
        panel.state.options as { legend?: { showLegend?: boolean; displayMode?: never; placement?: never } }
      ).legend;
      if (legend?.showLegend === false) {
        continue;
      }
      // @grafana/ui's legend as the panels draw it, with the panel's legend options (list unless set).
      const { container, unmount } = render(
        <VizLegend
          displayMode={legend?.displayMode ?? ('list' as never)}
          placement={legend?.placement ?? ('bottom' as never)}
          items={['Running', 'Error'].map((label, i) => ({
            label,
            color: 'green',
            yAxis: 1,
            getItemKey: () => `${i}`,
          }))}
          onLabelClick={() => {}}
        />
      );
      // axe's label-content-name-mismatch (serious): a button's name must hold its visible text. jsdom cannot tell
      // axe what is visible, so the same check here: the list legend names every button "All series selected".
      const names = [...container.querySelectorAll('button')].map((b) => [
        b.textContent?.trim(),
        b.getAttribute('aria-label') ?? b.textContent?.trim(),
      ]);
      expect([panel.state.title, names.filter(([text, name]) => !name?.includes(text ?? ''))]).toEqual([
        panel.state.title,
        [],
      ]);
      expect(names.length).toBeGreaterThan(0);
      unmount();
    }
  });
});
