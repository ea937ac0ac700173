import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { capabilityList, namespaceList, parseDuration, runtimeClassList } from '../../src/flag-values.ts';
import { FLAG_SPECS, helpText, parseFlags } from '../../src/flags.ts';
import { parseBindAddress } from '../../src/server/bind-address.ts';

test('defaults match the team conventions', () => {
  const f = parseFlags([], {});
  assert.equal(f.metricsBindAddress, ':8080');
  assert.equal(f.healthProbeBindAddress, ':8081');
  assert.equal(f.leaderElect, false);
  assert.equal(f.leaderElectionId, 'challenge-operator.hexactf.io');
  assert.equal(f.leaderElectionNamespace, 'default');
  assert.equal(f.leaseDurationMs, 15_000);
  assert.equal(f.namespace, '');
  assert.equal(f.pendingTimeoutMs, 300_000);
  assert.equal(f.deleteOnError, false);
  assert.equal(f.challengeTtlMs, 1_800_000);
  assert.equal(f.maxPerUser, 0);
  assert.equal(f.quotaWaitTimeoutMs, 0);
  assert.equal(f.deletedSeriesRetentionMs, 60_000);
  assert.equal(f.maxConcurrentReconciles, 4);
  assert.equal(f.kubeconfig, '');
  assert.equal(f.logLevel, 'info');
});

test('environment supplies the lease namespace and kubeconfig defaults', () => {
  const f = parseFlags([], { POD_NAMESPACE: 'ops', KUBECONFIG: '/tmp/kc' });
  assert.equal(f.leaderElectionNamespace, 'ops');
  assert.equal(f.kubeconfig, '/tmp/kc');
});

test('both --flag=value and --flag value forms; booleans without a value', () => {
  const f = parseFlags(
    [
      '--challenge-ttl=1h30m',
      '--max-per-user',
      '3',
      '--leader-elect',
      '--delete-on-error=false',
      '--metrics-bind-address',
      '0',
    ],
    {}
  );
  assert.equal(f.challengeTtlMs, 5_400_000);
  assert.equal(f.maxPerUser, 3);
  assert.equal(f.leaderElect, true);
  assert.equal(f.deleteOnError, false);
  assert.equal(f.metricsBindAddress, '0');
  assert.equal(parseFlags(['--quota-wait-timeout=10m'], {}).quotaWaitTimeoutMs, 600_000);
});

test('Go durations', () => {
  assert.equal(parseDuration('0'), 0);
  assert.equal(parseDuration('300ms'), 300);
  assert.equal(parseDuration('1.5h'), 5_400_000);
  assert.equal(parseDuration('2h45m10s'), 9_910_000);
  for (const bad of ['', '5', '5x', 'm', '1h 2m']) {
    assert.throws(() => parseDuration(bad), /invalid duration/);
  }
});

test('invalid values are refused with the flag name', () => {
  assert.throws(
    () => parseFlags(['--deleted-series-retention=5s'], {}),
    /deleted-series-retention must be at least twice the scrape interval/
  );
  assert.throws(() => parseFlags(['--max-per-user=-1'], {}), /max-per-user/);
  assert.throws(() => parseFlags(['--pending-timeout=soon'], {}), /pending-timeout/);
  assert.throws(() => parseFlags(['--nope'], {}), /unknown flag --nope/);
  assert.throws(() => parseFlags(['--log-level=loud'], {}), /log-level/);
  assert.throws(() => parseFlags(['--metrics-bind-address=8080'], {}), /metrics-bind-address/);
  assert.throws(() => parseFlags(['--max-concurrent-reconciles=0'], {}), /at least 1/);
  assert.throws(() => parseFlags(['--kube-api-qps=0'], {}), /kube-api-qps must be positive/);
  assert.throws(() => parseFlags(['--kube-api-qps=fast'], {}), /kube-api-qps: expected a number/);
  assert.throws(() => parseFlags(['--kube-api-qps=20', '--kube-api-burst=0'], {}), /kube-api-burst must be at least 1/);
  assert.throws(
    () => parseFlags(['--lease-duration=15s', '--renew-deadline=15s'], {}),
    /--lease-duration > --renew-deadline > --retry-period/
  );
  assert.throws(
    () => parseFlags(['--renew-deadline=2s', '--retry-period=2s'], {}),
    /--lease-duration > --renew-deadline > --retry-period/
  );
  assert.throws(() => parseFlags(['--lease-duration=3s', '--renew-deadline=10s'], {}), /got 3s \/ 10s \/ 400ms/);
  assert.throws(
    () => parseFlags(['--metrics-auth-max-inflight=0'], {}),
    /metrics-auth-max-inflight must be at least 1/
  );
});

test('client-side rate limit: off by default (controller-runtime since v0.21), fractions, negative turns it off', () => {
  const d = parseFlags([], {});
  assert.equal(d.kubeApiQps, -1, 'no client-side limit by default (controller-runtime since v0.21)');
  assert.equal(d.kubeApiBurst, 30);
  assert.equal(parseFlags(['--kube-api-qps=0.5'], {}).kubeApiQps, 0.5);
  assert.equal(parseFlags(['--kube-api-qps=-1', '--kube-api-burst=0'], {}).kubeApiQps, -1);
});

test('--allowed-capabilities, --allowed-runtime-classes and --namespace take checked lists', () => {
  assert.deepEqual(runtimeClassList('gvisor, kata.fc,gvisor'), ['gvisor', 'kata.fc']);
  assert.deepEqual(runtimeClassList(''), []);
  assert.throws(
    () => runtimeClassList('Bad_Class'),
    /--allowed-runtime-classes: "Bad_Class" is not a RuntimeClass name/
  );
  assert.throws(() => parseFlags(['--allowed-runtime-classes=a..b'], {}), /not a RuntimeClass name/);
  assert.deepEqual(capabilityList(' cap_sys_admin, SETUID,SYS_ADMIN'), ['SYS_ADMIN', 'SETUID']);
  assert.deepEqual(capabilityList(''), []);
  assert.throws(() => capabilityList('ALL'), /ALL is refused/);
  assert.throws(() => capabilityList('SYS ADMIN'), /not a capability name/);
  assert.deepEqual(namespaceList('a, b,a'), ['a', 'b']);
  assert.throws(() => namespaceList('Bad_NS'), /not a namespace name/);
  assert.throws(() => parseFlags(['--allowed-capabilities=ALL'], {}), /ALL is refused/);
});

test('--help documents every flag', () => {
  const text = helpText();
  for (const f of FLAG_SPECS) {
    assert.ok(text.includes(`--${f.name}`), f.name);
  }
  assert.equal(FLAG_SPECS.length, 42);
});

test('operator/README.md documents every flag', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  for (const f of FLAG_SPECS) {
    if (f.name !== 'help') {
      assert.ok(readme.includes(`\`--${f.name}\``), `--${f.name} in README`);
    }
  }
});

test('bind addresses', () => {
  assert.deepEqual(parseBindAddress(':8080'), { host: '', port: 8080 });
  assert.deepEqual(parseBindAddress('127.0.0.1:0'), { host: '127.0.0.1', port: 0 });
  assert.deepEqual(parseBindAddress('[::1]:9'), { host: '::1', port: 9 });
});
