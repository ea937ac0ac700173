import { act, cleanup } from '@testing-library/react';
import { sceneGraph, type MultiValueVariable } from '@grafana/scenes';
import { DEFAULT_SETTINGS } from '../../settings/settings';
import { prometheusInstantTable } from '../../test/prometheus-table';
import {
  lastQueriesOf,
  printedColor,
  printedNoData,
  printedRows,
  renderScene,
  setupHarness,
  settle,
  LEGACY_SETTINGS,
} from '../../test/scene-harness';
import { triageScene } from './triagePage';

const LEGACY = LEGACY_SETTINGS;
const ERRORS = 'Instances in Error';
const STUCK = 'Deletions not finished after 5m';

describe('Triage page', () => {
  it('asks for instances in Error now and for deletions older than 5m (challeng_id)', async () => {
    const harness = setupHarness();
    await renderScene(triageScene(LEGACY));
    const id = 'namespace, username, challeng_id, challenge_name, cluster';
    // The newest sample of each instance (a handover scrape shows the newer exporter's state, not Error over Running).
    const newest = (m: string) => `(max by (${id}) (round(timestamp(${m}) * 1000) * 4 + (${m} >= 0 < 4)) % 4)`;
    expect(lastQueriesOf(harness, 'error-instances')).toEqual([
      expect.objectContaining({
        expr: `${newest('challenge_resource_status')} == 3`,
        instant: true,
        format: 'table',
      }),
    ]);
    const samples = `sum by (${id}, job) (count_over_time(challenge_resource_status[5m]))`;
    expect(lastQueriesOf(harness, 'stuck-deletions')[0].expr).toBe(
      [
        `(${newest('challenge_resource_status')} == 2)`,
        `(min by (${id}) (min_over_time(challenge_resource_status[5m])) == 2)`,
        `(max by (${id}) (max_over_time(challenge_resource_status[5m])) == 2)`,
        `(${samples} >= on (job, cluster) group_left () max by (job, cluster) (${samples}))`,
      ].join(` and on (${id}) `)
    );
  });

  it('asks with the default labels and an escaped user filter', async () => {
    const harness = setupHarness();
    harness.labelValues.username = ['\\"}) or vector(1) #'];
    const scene = triageScene(DEFAULT_SETTINGS);
    await renderScene(scene);
    await act(async () =>
      (sceneGraph.lookupVariable('user', scene) as MultiValueVariable).changeValueTo(['\\"}) or vector(1) #'])
    );
    await settle();
    const id = 'namespace, username, challenge_id, challenge_name, cluster';
    const m = 'challenge_resource_status{username="\\\\\\"}) or vector(1) #"}';
    expect(lastQueriesOf(harness, 'error-instances')[0].expr).toBe(
      `(max by (${id}) (round(timestamp(${m}) * 1000) * 4 + (${m} >= 0 < 4)) % 4) == 3`
    );
  });

  it('lists the instances by namespace, user, challenge and name, with the state named and coloured', async () => {
    const harness = setupHarness();
    harness.respond = (q) =>
      q.runner === 'error-instances'
        ? [
            prometheusInstantTable(
              [
                {
                  labels: {
                    challenge_id: 'web-1',
                    challenge_name: 'web-1-bob',
                    namespace: 'ctf',
                    username: 'bob',
                    instance: '10.0.0.1:8080',
                  },
                  value: 3,
                },
              ],
              { timeMs: 1 }
            ),
          ]
        : [];
    await renderScene(triageScene(DEFAULT_SETTINGS));
    expect(printedRows(ERRORS)).toEqual([
      ['Namespace', 'User', 'Challenge', 'Name', 'State'],
      ['ctf', 'bob', 'web-1', 'web-1-bob', 'Error'],
    ]);
    // The Error cell's fill: dark red, on which the table's light text reads at 4.5:1 or more.
    expect(printedColor(ERRORS, 'Error')).toBe('#C4162A');
    expect(printedNoData(STUCK)).toBe('No unfinished deletion');
  });

  it('has a Cluster column only when the answer holds two clusters', async () => {
    const harness = setupHarness();
    const bob = { challenge_id: 'web-1', challenge_name: 'web-1-bob', namespace: 'ctf', username: 'bob' };
    let clusters = ['a'];
    harness.respond = (q) =>
      q.runner === 'error-instances'
        ? [
            prometheusInstantTable(
              clusters.map((cluster) => ({ labels: { ...bob, cluster }, value: 3 })),
              { timeMs: 1 }
            ),
          ]
        : [];
    await renderScene(triageScene(DEFAULT_SETTINGS));
    expect(printedRows(ERRORS)[0]).toEqual(['Namespace', 'User', 'Challenge', 'Name', 'State']);
    cleanup();
    clusters = ['a', 'b'];
    await renderScene(triageScene(DEFAULT_SETTINGS));
    const [header, ...rows] = printedRows(ERRORS);
    const cluster = header.indexOf('Cluster');
    expect(cluster).toBeGreaterThanOrEqual(0);
    expect(rows.map((r) => r[cluster])).toEqual(['a', 'b']);
  });

  it('says so when nothing needs attention', async () => {
    setupHarness();
    await renderScene(triageScene(DEFAULT_SETTINGS));
    expect(printedNoData(ERRORS)).toBe('No instance is in Error');
    expect(printedNoData(STUCK)).toBe('No unfinished deletion');
  });
});
