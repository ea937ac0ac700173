// The Challenge metric families as pure functions: which series each Challenge and definition produces, as text,
// without caches or the block store (that is collector.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Challenge, ChallengeDefinition } from '../../src/api/types.ts';
import {
  INFO_HEADER,
  STATUS_HEADER,
  definitionRequests,
  deletedStatusLine,
  infoLine,
  requestsFamily,
  seriesIdentity,
  stateValue,
  statusLabels,
  statusLine,
} from '../../src/metrics/challenge-families.ts';

function challenge(state?: string, extra: Partial<Challenge['metadata']> = {}, user = 'alice'): Challenge {
  return {
    metadata: {
      name: 'web-1',
      namespace: 'ctf',
      labels: { 'apps.hexactf.io/challengeId': '7', 'apps.hexactf.io/user': user },
      ...extra,
    },
    spec: { definition: 'web-basic' },
    status: state ? { currentStatus: { state: state as any } } : undefined,
  };
}

function definition(category: string, containers: any[], replicas?: number): ChallengeDefinition {
  return {
    metadata: { name: 'web-basic', namespace: 'ctf' },
    spec: {
      category,
      components: [{ name: 'app', deployment: { spec: { replicas, template: { spec: { containers } } } } }],
    },
  };
}

const LABELS = '{challenge_id="7",challenge_name="web-1",username="alice",namespace="ctf"}';
const DELETING = { deletionTimestamp: '2026-01-01T00:00:00Z' };

test('the status series of a Challenge, by state', () => {
  const cases: Array<[string, Challenge, string]> = [
    ['no status yet counts as Pending', challenge(), `challenge_resource_status${LABELS} 0\n`],
    ['Pending', challenge('Pending'), `challenge_resource_status${LABELS} 0\n`],
    ['Running', challenge('Running'), `challenge_resource_status${LABELS} 1\n`],
    ['Deleted', challenge('Deleted'), `challenge_resource_status${LABELS} 2\n`],
    ['Error', challenge('Error'), `challenge_resource_status${LABELS} 3\n`],
    ['a state that is not ours counts as Pending', challenge('Creating'), `challenge_resource_status${LABELS} 0\n`],
    [
      'being deleted is Deleted whatever its state',
      challenge('Running', DELETING),
      `challenge_resource_status${LABELS} 2\n`,
    ],
  ];
  for (const [name, ch, line] of cases) {
    assert.equal(statusLine(ch), line, name);
  }
  assert.deepEqual([challenge('Running'), challenge('Error', DELETING)].map(stateValue), [1, 2]);
});

test('status labels: the four identity labels, values escaped, missing labels empty', () => {
  assert.deepEqual(seriesIdentity(challenge()), { namespace: 'ctf', name: 'web-1', challengeId: '7', user: 'alice' });
  assert.equal(statusLabels(seriesIdentity(challenge())), LABELS);
  assert.equal(
    statusLabels(seriesIdentity(challenge(undefined, {}, 'ev"il\\\n'))),
    '{challenge_id="7",challenge_name="web-1",username="ev\\"il\\\\\\n",namespace="ctf"}'
  );
  assert.equal(
    statusLabels(seriesIdentity(challenge(undefined, { labels: {} }))),
    '{challenge_id="",challenge_name="web-1",username="",namespace="ctf"}'
  );
  assert.equal(deletedStatusLine(LABELS), `challenge_resource_status${LABELS} 2\n`);
});

test('the info series: definition and category of a live Challenge, none while it is deleted', () => {
  const def = definition('web', []);
  const info = `challenge_info{challenge_id="7",challenge_name="web-1",username="alice",namespace="ctf",definition="web-basic",category="web"} 1\n`;
  assert.equal(infoLine(challenge('Running'), def), info);
  assert.equal(infoLine(challenge('Running'), undefined), info.replace('category="web"', 'category=""'));
  assert.equal(infoLine(challenge('Running', DELETING), def), '');
});

test('the requests series of a definition: every component and replica, limits when no requests', () => {
  const cases: Array<[string, ChallengeDefinition, { cpu: number; memory: number }]> = [
    ['no containers', definition('web', []), { cpu: 0, memory: 0 }],
    [
      'requests',
      definition('web', [{ name: 'a', image: 'x', resources: { requests: { cpu: '250m', memory: '64Mi' } } }]),
      { cpu: 0.25, memory: 64 * 2 ** 20 },
    ],
    [
      'limits only',
      definition('web', [{ name: 'a', image: 'x', resources: { limits: { cpu: '1', memory: '1G' } } }]),
      { cpu: 1, memory: 1e9 },
    ],
    [
      'replicas',
      definition('web', [{ name: 'a', image: 'x', resources: { requests: { cpu: '100m' } } }], 3),
      { cpu: 0.3, memory: 0 },
    ],
  ];
  for (const [name, def, want] of cases) {
    assert.deepEqual(definitionRequests(def), want, name);
  }
  const text = requestsFamily([cases[1][1]]);
  assert.ok(text.startsWith('# HELP challenge_definition_requests '));
  assert.ok(
    text.endsWith(
      'challenge_definition_requests{namespace="ctf",definition="web-basic",category="web",resource="cpu"} 0.25\n' +
        'challenge_definition_requests{namespace="ctf",definition="web-basic",category="web",resource="memory"} 67108864\n'
    )
  );
});

test('family headers', () => {
  assert.match(STATUS_HEADER, /^# HELP challenge_resource_status .*\n# TYPE challenge_resource_status gauge\n$/);
  assert.match(INFO_HEADER, /^# HELP challenge_info .*\n# TYPE challenge_info gauge\n$/);
});
