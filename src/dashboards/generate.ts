/**
 * The classic dashboard the plugin ships (plugin.json includes, type dashboard) for users who want to edit panels:
 * the Overview's panels and the Users x Challenges matrix, taken from the pages' own scenes (built with the default
 * settings) and written as Grafana's Panel JSON, so the dashboard cannot drift from the pages. The pages' variable
 * names are kept (`ds`, `window`), so the queries and links read the same. `npm run dashboard:generate` writes it to
 * challenges.json; a test fails when the committed file is stale.
 */
import { VizPanel, sceneGraph, type SceneObject } from '@grafana/scenes';
import { DEFAULT_WINDOW, WINDOW_CHOICES } from '../metric/contract';
import { DEFAULT_SETTINGS } from '../settings/settings';
import { overviewScene } from '../pages/Overview/overviewPage';
import { usersChallengesScene } from '../pages/UsersChallenges/usersChallengesPage';
import { panelJson } from '../pages/shared/inspect/panelJson';
import { DS_VARIABLE, WINDOW_VARIABLE_NAME } from '../pages/shared/variables';

export const DASHBOARD_UID = 'hexactf-challenges';
export const DASHBOARD_FILE = 'challenges.json';
/** The dashboard's variables: the pages' names, so the panels' queries and links need no rewriting. */
export const DATASOURCE_VARIABLE = DS_VARIABLE;
export { WINDOW_VARIABLE_NAME };

interface GridPos {
  x: number;
  y: number;
  w: number;
  h: number;
}

const GRID_WIDTH = 24;

/** Every panel of a page's scene, in the page's order (notices are not panels). */
function pagePanels(scene: SceneObject): VizPanel[] {
  return sceneGraph.findAllObjects(scene, (o) => o instanceof VizPanel) as VizPanel[];
}

/**
 * Grid positions in the pages' arrangement: consecutive stats share a row, tables take a row of their own, other
 * panels go two to a row.
 */
function layout(types: string[]): GridPos[] {
  const positions: GridPos[] = [];
  let y = 0;
  let i = 0;
  while (i < types.length) {
    let run = 1;
    if (types[i] === 'stat') {
      while (types[i + run] === 'stat') {
        run++;
      }
    } else if (types[i] !== 'table' && types[i + 1] !== undefined && !['stat', 'table'].includes(types[i + 1])) {
      run = 2;
    }
    const h = types[i] === 'stat' ? 5 : types[i] === 'table' ? 14 : 9;
    const w = GRID_WIDTH / run;
    for (let k = 0; k < run; k++) {
      positions.push({ x: k * w, y, w, h });
    }
    y += h;
    i += run;
  }
  return positions;
}

function variables() {
  return [
    {
      name: DATASOURCE_VARIABLE,
      label: 'Prometheus',
      type: 'datasource',
      query: 'prometheus',
      current: {},
      hide: 0,
    },
    {
      name: WINDOW_VARIABLE_NAME,
      label: 'Window',
      description: 'How far back the last state of each instance is looked up',
      type: 'custom',
      query: WINDOW_CHOICES.join(','),
      current: { text: DEFAULT_WINDOW, value: DEFAULT_WINDOW },
      options: WINDOW_CHOICES.map((choice) => ({ text: choice, value: choice, selected: choice === DEFAULT_WINDOW })),
      hide: 0,
    },
  ];
}

/**
 * The dashboard JSON model (classic schema), as Grafana imports it. Builds the pages' scenes, so Grafana's runtime
 * (the datasource service) must be set up: the jest harness does it.
 */
export function challengesDashboard() {
  const panels = [overviewScene(DEFAULT_SETTINGS), usersChallengesScene(DEFAULT_SETTINGS)]
    .flatMap(pagePanels)
    .map(panelJson);
  const positions = layout(panels.map((p) => p.type));
  return {
    uid: DASHBOARD_UID,
    title: 'HexaCTF Challenges',
    description:
      'Challenge instances per state and the users x challenges matrix (generated from the app; edit freely)',
    tags: ['hexactf', 'ctf'],
    editable: true,
    schemaVersion: 39,
    version: 1,
    time: { from: 'now-6h', to: 'now' },
    refresh: '1m',
    templating: { list: variables() },
    // The plugin version is the running Grafana's panel's (the harness' here): Grafana fills it in on import.
    panels: panels.map(({ pluginVersion: _version, ...panel }, index) => ({
      id: index + 1,
      gridPos: positions[index],
      ...panel,
    })),
  };
}
