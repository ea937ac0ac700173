import { VizPanel, sceneGraph, type SceneObject } from '@grafana/scenes';

/** A URL-safe slug of a panel title: lower case, runs of anything but letters and digits as one dash. */
export const titleSlug = (title: string) =>
  title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

/**
 * Gives every panel of `scene` a key derived from its title (`panel-<slug>`, `-2`, `-3` for repeats in page order),
 * so a link with `viewPanel=` or `inspect=` names the same panel every time the page is built.
 */
export function assignPanelKeys(scene: SceneObject) {
  const taken = new Set<string>();
  for (const panel of sceneGraph.findAllObjects(scene, (o) => o instanceof VizPanel) as VizPanel[]) {
    const base = `panel-${titleSlug(panel.state.title) || 'untitled'}`;
    let key = base;
    for (let n = 2; taken.has(key); n++) {
      key = `${base}-${n}`;
    }
    taken.add(key);
    panel.setState({ key });
  }
}

/** The panel under `root` with this key, if any (a link may name a panel the page no longer has). */
export function findPanel(root: SceneObject, key: string | undefined): VizPanel | undefined {
  if (!key) {
    return undefined;
  }
  // Only below `root`: findObject would search the ancestors too.
  const found = sceneGraph.findAllObjects(root, (o) => o instanceof VizPanel && o.state.key === key)[0];
  return found instanceof VizPanel ? found : undefined;
}
