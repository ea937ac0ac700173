// Panel View and Inspect, the drawer's tabs: Data (frames, raw values, CSV, the frame picker), Query (PromQL as sent,
// range, interval, response size), Panel JSON, and what they show for no data or a failed query. Helpers in
// src/test/inspect-harness.tsx.
import { act, fireEvent, screen, within } from '@testing-library/react';
import { EventBusSrv } from '@grafana/data';
import { setAppEvents } from '@grafana/runtime';
import { NO_FILTERS } from '../../../queries/common';
import { errorInstancesQuery } from '../../../queries/triage';
import { DEFAULT_SETTINGS } from '../../../settings/settings';
import { lastQueriesOf, panelTitled, setupHarness, type SceneHarness } from '../../../test/scene-harness';
import { overviewScene } from '../../Overview/overviewPage';
import { triageScene } from '../../Triage/triagePage';
import {
  ERROR_PANEL,
  ERROR_PANEL_KEY,
  activeTab,
  captureDownloads,
  errorInstances,
  renderPage,
  tableRows,
} from '../../../test/inspect-harness';

describe('panel View and Inspect', () => {
  let harness: SceneHarness;
  beforeEach(() => {
    harness = setupHarness();
    // A panel tells Grafana's app event bus which panel has the user's attention; the real bus, unset in jsdom.
    setAppEvents(new EventBusSrv());
  });
  afterEach(() => jest.restoreAllMocks());

  it('Data tab: the frames as the panel shows them, raw values on request, and the shown frame as CSV', async () => {
    harness.respond = (q) => (q.runner === 'error-instances' ? errorInstances() : []);
    await renderPage(triageScene(DEFAULT_SETTINGS), `?inspect=${ERROR_PANEL_KEY}&inspectTab=data`);
    expect(activeTab()).toBe('Data');
    expect(screen.getByTestId('data-testid drawer subtitle').textContent).toMatch(/^1 query, 2 rows, \d+ ms$/);
    const table = screen.getByRole('table', { name: `Data of ${ERROR_PANEL}` });
    expect(tableRows(table)).toEqual([
      ['Namespace', 'User', 'Challenge', 'Name', 'State'],
      ['ctf', 'bob', 'web-1', 'web-1-bob', 'Error'],
      ['ctf', 'o"b', 'pwn-2', 'pwn-2-o', 'Error'],
    ]);
    // One frame: no frame picker.
    expect(screen.queryByLabelText('Data frame')).toBeNull();

    const downloads = captureDownloads();
    await act(async () => fireEvent.click(screen.getByRole('button', { name: /Download CSV/ })));
    await act(async () => fireEvent.click(screen.getByLabelText('Formatted data')));
    const raw = tableRows(screen.getByRole('table', { name: `Data of ${ERROR_PANEL}` }));
    expect(raw.slice(1).map((row) => row.at(-1))).toEqual(['3', '3']);
    await act(async () => fireEvent.click(screen.getByRole('button', { name: /Download CSV/ })));

    expect(downloads.names).toEqual(['instances-in-error.csv', 'instances-in-error.csv']);
    const [formattedCsv, rawCsv] = await downloads.texts();
    expect(formattedCsv).toBe(
      [
        '"Namespace","User","Challenge","Name","State"',
        'ctf,bob,web-1,web-1-bob,Error',
        'ctf,"o""b",pwn-2,pwn-2-o,Error',
      ].join('\r\n')
    );
    expect(rawCsv.split('\r\n').slice(1)).toEqual(['ctf,bob,web-1,web-1-bob,3', 'ctf,"o""b",pwn-2,pwn-2-o,3']);
  });

  it('Data tab: a frame picker when the panel has several frames', async () => {
    const scene = overviewScene(DEFAULT_SETTINGS);
    const key = panelTitled(scene, 'Instances per state over time').state.key;
    harness.respond = (q) =>
      q.runner === 'counts-over-time' || q.range
        ? [
            {
              refId: q.refId,
              name: q.refId,
              length: 2,
              fields: [
                { name: 'Time', type: 'time', config: {}, values: [1_700_000_000_000, 1_700_000_060_000] },
                { name: 'Value', type: 'number', config: {}, values: [q.refId.length, q.refId.length + 1] },
              ],
            } as never,
          ]
        : [];
    // The picker sizes its menu by measuring text on a canvas, which jsdom lacks: about 7 px per character.
    jest
      .spyOn(HTMLCanvasElement.prototype, 'getContext')
      .mockImplementation(() => ({ font: '', measureText: (text: string) => ({ width: text.length * 7 }) }) as never);
    await renderPage(scene, `?inspect=${key}&inspectTab=data`);
    const picker = screen.getByLabelText('Data frame');
    const table = () => screen.getByRole('table', { name: 'Data of Instances per state over time' });
    const first = tableRows(table());
    const firstName = (picker as HTMLInputElement).value;
    // Pick the next frame with the keyboard, as a user can (jsdom lays out no list to click in).
    await act(async () => fireEvent.keyDown(picker, { key: 'ArrowDown' }));
    await act(async () => fireEvent.keyDown(picker, { key: 'ArrowDown' }));
    await act(async () => fireEvent.keyDown(picker, { key: 'Enter' }));
    expect((picker as HTMLInputElement).value).not.toBe(firstName);
    expect(tableRows(table())).not.toEqual(first);
  });

  it("Query tab: each query's PromQL as sent, the request's range and interval, and the response's size", async () => {
    const copied: string[] = [];
    // jsdom has no clipboard (and is no secure context): record what the copy button writes.
    Object.assign(navigator, { clipboard: { writeText: async (text: string) => void copied.push(text) } });
    Object.defineProperty(window, 'isSecureContext', { value: true, configurable: true });
    const scene = overviewScene(DEFAULT_SETTINGS);
    const title = 'Running and Error instances per challenge';
    await renderPage(scene, `?inspect=${panelTitled(scene, title).state.key}&inspectTab=query`);
    const sent = lastQueriesOf(harness, 'state-counts');
    expect(sent.map((q) => q.refId)).toEqual(['StateCounts']);
    for (const query of sent) {
      const section = screen.getByRole('region', { name: `Query ${query.refId}` });
      expect(section.querySelector('pre')?.textContent).toBe(query.expr);
      expect(section).toHaveTextContent('instant');
    }
    const stats = Object.fromEntries(
      tableRows(screen.getByRole('table', { name: 'Request and response' })).map(([k, v]) => [k, v])
    );
    expect(stats['Time range']).toMatch(/^\d{4}-\d\d-\d\dT.* to \d{4}-\d\d-\d\dT.* \(now-6h to now\)$/);
    expect(stats['Interval (range query step)']).toMatch(/^\S+ \(\d+ ms\)$/);
    expect(stats.Queries).toBe('1');
    expect(stats['Frames (series)']).toBe('0');
    expect(stats.Rows).toBe('0');
    expect(stats['Request duration']).toMatch(/^\d+ ms$/);
    // Grafana's summary under the drawer's title.
    expect(screen.getByTestId('data-testid drawer subtitle').textContent).toMatch(/^1 query, 0 rows, \d+ ms$/);

    await act(async () => fireEvent.click(screen.getByRole('button', { name: /Copy query/ })));
    expect(copied).toEqual([sent[0].expr]);
  });

  it('Panel JSON tab: the panel as a classic dashboard panel', async () => {
    await renderPage(triageScene(DEFAULT_SETTINGS), `?inspect=${ERROR_PANEL_KEY}&inspectTab=json`);
    const json = JSON.parse(screen.getByLabelText('Panel JSON').textContent ?? '');
    const datasource = { type: 'prometheus', uid: '${ds}' };
    expect(json).toMatchObject({
      type: 'table',
      title: ERROR_PANEL,
      datasource,
      targets: [
        {
          datasource,
          refId: 'A',
          expr: errorInstancesQuery(DEFAULT_SETTINGS, NO_FILTERS),
          instant: true,
          format: 'table',
        },
      ],
      fieldConfig: { defaults: { noValue: 'No instance is in Error' } },
    });
    expect(json.description.length).toBeGreaterThan(0);
    expect(json.transformations.length).toBeGreaterThan(0);
    expect(json.transformations.every((t: { id?: unknown }) => typeof t.id === 'string')).toBe(true);
  });

  it('no data: a message in the Data tab, the queries still in the Query tab', async () => {
    await renderPage(triageScene(DEFAULT_SETTINGS), `?inspect=${ERROR_PANEL_KEY}&inspectTab=data`);
    expect(screen.getByText('No data')).toBeInTheDocument();
    expect(screen.queryByRole('table', { name: `Data of ${ERROR_PANEL}` })).toBeNull();
    await act(async () => fireEvent.click(screen.getByRole('tab', { name: 'Query' })));
    // The queries were sent all the same.
    expect(screen.getByRole('region', { name: 'Query A' }).querySelector('pre')?.textContent).toBe(
      lastQueriesOf(harness, 'error-instances')[0].expr
    );
  });

  it('a failed query: its error in the Data and Query tabs', async () => {
    harness.respond = (q) => {
      if (q.runner === 'error-instances') {
        throw new Error('bad_data: parse error at char 7');
      }
      return [];
    };
    await renderPage(triageScene(DEFAULT_SETTINGS), `?inspect=${ERROR_PANEL_KEY}&inspectTab=data`);
    const drawerContent = within(screen.getByRole('dialog'));
    expect(drawerContent.getByText("The panel's query failed")).toBeInTheDocument();
    expect(drawerContent.getByText('A: bad_data: parse error at char 7')).toBeInTheDocument();
    await act(async () => fireEvent.click(screen.getByRole('tab', { name: 'Query' })));
    expect(drawerContent.getByText('A: bad_data: parse error at char 7')).toBeInTheDocument();
  });
});
