// The Users x Challenges matrix as it shows: rows, columns and coloured state cells, empty cells, the users' column,
// its field config, the links to each user's page, the no-data state, and the CSV download.
import { fireEvent, screen } from '@testing-library/react';
import { FieldType, colorManipulator } from '@grafana/data';
import { sceneGraph } from '@grafana/scenes';
import { STATES } from '../../metric/contract';
import { MATRIX_COLUMN_LABEL } from '../../queries/users';
import { DEFAULT_SETTINGS } from '../../settings/settings';
import { prometheusInstantTable } from '../../test/prometheus-table';
import {
  panelSection,
  panelTitled,
  printedCells,
  printedColor,
  printedNoData,
  printedRows,
  renderScene,
  setupHarness,
} from '../../test/scene-harness';
import { NO_STATE_CELL_MAPPING } from '../shared/stateStyles';
import { frameText } from '../shared/inspect/frameTable';
import { CsvExportButton } from './CsvExportButton';
import { decodeUserKey } from './userKey';

import { USER_LINK, usersChallengesScene } from './usersChallengesPage';
import { LEGACY, MATRIX, matrixResponse } from '../../test/users-matrix';

describe('Users x Challenges page', () => {
  it('renders the matrix: a row per user, a column per challenge, state names in coloured cells', async () => {
    const harness = setupHarness();
    harness.respond = (q) => (q.runner === 'matrix' ? matrixResponse('challeng_id') : []);
    await renderScene(usersChallengesScene(LEGACY));
    expect(printedRows(MATRIX)).toEqual([
      ['User', 'web-1', 'pwn-2'],
      ['alice', 'Running', 'Error'],
      ['bob', 'Deleted', ''],
      ['o"b', '', 'Pending'],
      ['2', 'Pending', ''],
    ]);
    expect(printedColor(MATRIX, 'Running')).toBe('#2D7A24');
    expect(printedColor(MATRIX, 'Error')).toBe('#C4162A');
  });

  it('leaves a cell without an instance empty and uncoloured; every state reads by its name, legibly on its fill', async () => {
    const harness = setupHarness();
    harness.respond = (q) => (q.runner === 'matrix' ? matrixResponse('challenge_id') : []);
    await renderScene(usersChallengesScene(DEFAULT_SETTINGS));
    const cells = printedCells(MATRIX).flatMap((row) => row.slice(1));
    const empty = cells.filter((cell) => cell.text === '');
    // bob has no pwn-2, o"b and 2 no web-1 / pwn-2: no state colour (the thresholds' green base was Running's).
    expect(empty).toHaveLength(3);
    // Fully transparent, as the theme writes it (#rrggbb00 or rgba(..., 0)): the table's own background shows.
    const transparent = /^#[0-9a-f]{6}00$|^rgba\(.*,\s*0\)$/i;
    expect(empty.map((cell) => cell.color)).toEqual(empty.map(() => expect.stringMatching(transparent)));
    // Readable on its fill: the table's text colour (light, or dark on a bright fill) at 4.5:1 at least (WCAG AA).
    const contrast = (fill: string) => {
      const [r, g, b] = colorManipulator.decomposeColor(colorManipulator.asRgbString(fill)).values;
      const onFill = (r * 299 + g * 587 + b * 114) / 1000 > 180 ? 'rgb(32, 34, 38)' : 'rgb(247, 248, 250)';
      return colorManipulator.getContrastRatio(onFill, fill);
    };
    const hardToRead = cells.filter((cell) => cell.text !== '' && contrast(cell.color!) < 4.5);
    expect(hardToRead).toEqual([]);
    // Readable without colour: each filled cell names its state.
    expect(new Set(cells.filter((cell) => cell.text !== '').map((cell) => cell.text))).toEqual(
      new Set(STATES.map((state) => state.name))
    );
  });

  it("heads the users' column with the user label's name, also in the transformed frames (Inspect, unformatted)", async () => {
    const harness = setupHarness();
    harness.respond = (q) => (q.runner === 'matrix' ? matrixResponse('challenge_id') : []);
    const scene = usersChallengesScene(DEFAULT_SETTINGS);
    await renderScene(scene);
    expect(printedRows(MATRIX)[0]).toEqual(['User', 'web-1', 'pwn-2']);
    // What Inspect > Data shows without the panel's formatting, and what a table reading the frames alone shows.
    const frames = sceneGraph.getData(panelTitled(scene, MATRIX)).state.data!.series;
    expect(frameText(frames[0], frames, 10).header).toEqual(['User', 'web-1', 'pwn-2']);
  });

  it('configures mappings, colour-background cells, plain user cells and the user link', async () => {
    setupHarness();
    const scene = usersChallengesScene(DEFAULT_SETTINGS);
    await renderScene(scene);
    const panel = panelTitled(scene, MATRIX);
    expect(panel.state.pluginId).toBe('table');
    // State names and colours on the numeric (challenge) columns only: a username "1" stays "1".
    expect(panel.state.fieldConfig.defaults.mappings ?? []).toEqual([]);
    expect(panel.state.fieldConfig.overrides).toEqual([
      {
        matcher: { id: 'byType', options: FieldType.number },
        properties: [
          { id: 'mappings', value: expect.arrayContaining([NO_STATE_CELL_MAPPING]) },
          { id: 'custom.cellOptions', value: { type: 'color-background', mode: 'basic' } },
        ],
      },
      {
        matcher: { id: 'byName', options: `username\\${MATRIX_COLUMN_LABEL}` },
        properties: [{ id: 'links', value: [{ title: 'Instances of ${__value.text}', url: USER_LINK }] }],
      },
    ]);
    expect(USER_LINK).toBe(
      '/a/hexactf-challenges-app/users-challenges/user/${__user_key}?${__url_time_range}&${ds:queryparam}&${window:queryparam}'
    );
  });

  it("links each user's cell to that user's page, URL-safe, with the time range and variables", async () => {
    const harness = setupHarness();
    const user = 'x/y#z?a&"q"';
    harness.respond = (q) =>
      q.runner === 'matrix'
        ? [
            prometheusInstantTable(
              [{ labels: { challenge_id: 'web-1', username: user, [MATRIX_COLUMN_LABEL]: 'web-1' }, value: 1 }],
              { timeMs: 1 }
            ),
          ]
        : [];
    const scene = usersChallengesScene(DEFAULT_SETTINGS);
    await renderScene(scene);
    const panel = panelTitled(scene, MATRIX);
    const [frame] = panel.applyFieldConfig(sceneGraph.getData(panel).state.data).series;
    const [link] = frame.fields[0].getLinks!({ valueRowIndex: 0 });
    expect(link.title).toBe(`Instances of ${user}`);
    const [path, query] = link.href.split('?');
    // Grafana's URL sanitizer decodes percent-encoding (a percent-encoded username would be cut at its "/", "#"
    // or "?"), so the link carries the username as base64url, which reads back exactly.
    const key = path.split('/').at(-1)!;
    expect(path).toBe(`/a/hexactf-challenges-app/users-challenges/user/${key}`);
    expect(key).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeUserKey(key)).toBe(user);
    expect(query).toBe('from=now-6h&to=now&timezone=browser&var-ds=hexactf-prometheus&var-window=2h');
  });

  it("shows the table's no-data state when there is no instance in the window (no noValue: it would fill empty cells)", async () => {
    setupHarness();
    const scene = usersChallengesScene(DEFAULT_SETTINGS);
    await renderScene(scene);
    expect(panelTitled(scene, MATRIX).state.fieldConfig.defaults.noValue).toBeUndefined();
    expect(printedNoData(MATRIX)).toBe('No data');
  });

  it('downloads the matrix as CSV, as the table shows it', async () => {
    const harness = setupHarness();
    harness.respond = (q) => (q.runner === 'matrix' ? matrixResponse('challenge_id') : []);
    const scene = usersChallengesScene(DEFAULT_SETTINGS);
    await renderScene(scene);
    // jsdom has no object URLs: capture the Blob the button hands over.
    const blobs: Blob[] = [];
    URL.createObjectURL = (blob: Blob) => (blobs.push(blob), 'blob:csv');
    URL.revokeObjectURL = () => {};
    const clicked: string[] = [];
    jest.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicked.push(this.download);
    });
    fireEvent.click(screen.getByRole('button', { name: 'CSV' }));
    expect(clicked).toEqual(['users-x-challenges.csv']);
    const text = await new Promise<string>((resolve) => {
      const reader = new FileReader();
      reader.onload = () => resolve(String(reader.result));
      reader.readAsText(blobs[0]);
    });
    expect(text).toBe(
      ['"User","web-1","pwn-2"', 'alice,Running,Error', 'bob,Deleted,', '"o""b",,Pending', '2,Pending,'].join('\r\n')
    );
    const button = sceneGraph.findObject(scene, (o) => o instanceof CsvExportButton) as CsvExportButton;
    expect(button.csv()).toBe(text);
    expect(panelSection(MATRIX)).toContainElement(screen.getByRole('button', { name: 'CSV' }));
  });
});
