// The local stack's files, checked without Docker (none on the test machines): docker-compose.yaml validated by
// Debian's docker-compose (1.29, the v1 CLI; the file sticks to keys Compose v2 also reads), every shell script
// linted by shellcheck, and deploy/prometheus/prometheus.yml loaded by a real Prometheus with the chart's rules.
import assert from 'node:assert/strict';
import { waitFor } from '@hexactf/testing/wait';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startPrometheus, type Prometheus } from '@hexactf/testing/prometheus';
import { parse } from 'yaml';

const repo = resolve(import.meta.dirname, '../../..');

describe('docker-compose.yaml', () => {
  const run = (args: string[]) =>
    spawnSync('docker-compose', ['--project-directory', repo, '-f', join(repo, 'docker-compose.yaml'), ...args], {
      encoding: 'utf8',
      cwd: repo,
    });

  it('passes `docker-compose config -q`', () => {
    const r = run(['config', '-q']);
    assert.equal(r.status, 0, r.stderr);
  });

  it('wires the services: app bundle -> Grafana, chart rules -> Prometheus, docker socket -> kind bootstrap', () => {
    const r = run(['config']);
    assert.equal(r.status, 0, r.stderr);
    const config = parse(r.stdout);
    assert.deepEqual(Object.keys(config.services).sort(), ['app-build', 'grafana', 'kind-bootstrap', 'prometheus']);
    const mounts = (svc: string): string[] =>
      config.services[svc].volumes.map((v: any) => (typeof v === 'string' ? v : `${v.source}:${v.target}`));
    const grafana = mounts('grafana');
    assert.ok(
      grafana.some((m) => m.startsWith('app-dist:/var/lib/grafana/plugins/hexactf-challenges-app')),
      grafana.join('\n')
    );
    assert.ok(
      !grafana.some((m) => m.includes('/dist:/var/lib/grafana/plugins')),
      'the host dist bind mount is replaced'
    );
    assert.ok(
      grafana.some((m) => m.endsWith(':/etc/grafana/provisioning:rw') || m.endsWith(':/etc/grafana/provisioning'))
    );
    assert.equal(config.services.grafana.depends_on['app-build'].condition, 'service_completed_successfully');
    assert.ok(mounts('app-build').some((m) => m.startsWith('app-dist:/out')));
    assert.ok(mounts('kind-bootstrap').some((m) => m.startsWith('/var/run/docker.sock:/var/run/docker.sock')));
    assert.ok(mounts('prometheus').some((m) => m.includes('operator/chart/files/rules.yaml:/etc/prometheus/rules/')));
    // Every bind-mounted file or folder of the repository exists, and the container names up.sh uses match.
    for (const svc of Object.keys(config.services)) {
      for (const m of mounts(svc)) {
        const source = m.split(':')[0];
        if (source.startsWith(repo)) {
          assert.ok(existsSync(source), `${svc}: ${source} missing`);
        }
      }
    }
    const env = config.services['kind-bootstrap'].environment;
    assert.equal(env.PROMETHEUS_CONTAINER, config.services.prometheus.container_name);
    assert.equal(env.BOOTSTRAP_CONTAINER, config.services['kind-bootstrap'].container_name);
  });
  it('publishes every port on 127.0.0.1 only (Grafana is an anonymous Admin in development mode)', () => {
    const r = run(['config']);
    assert.equal(r.status, 0, r.stderr);
    const config = parse(r.stdout);
    const published: string[] = [];
    for (const [name, svc] of Object.entries<any>(config.services)) {
      for (const p of svc.ports ?? []) {
        const ip = typeof p === 'string' ? (p.split(':').length === 3 ? p.split(':')[0] : '') : (p.host_ip ?? '');
        published.push(`${name} ${ip || '(all interfaces)'}`);
        assert.equal(ip, '127.0.0.1', `${name} publishes ${JSON.stringify(p)} beyond loopback`);
      }
    }
    assert.deepEqual(published.sort(), ['grafana 127.0.0.1', 'prometheus 127.0.0.1']);
  });
});

describe('shell scripts', () => {
  // Every tracked shell script except create-plugin's generated .config/ (not ours to edit).
  const tracked = execFileSync('git', ['ls-files'], { cwd: repo, encoding: 'utf8' }).split('\n').filter(Boolean);
  const scripts = tracked.filter(
    (f) =>
      !f.startsWith('.config/') &&
      existsSync(join(repo, f)) &&
      (f.endsWith('.sh') || /^#!.*\b(ba)?sh\b/.test(readFileSync(join(repo, f), 'utf8').split('\n', 1)[0]))
  );

  it('finds the stack scripts', () => {
    for (const s of ['deploy/kind/up.sh', 'deploy/kind/down.sh', 'deploy/app/build.sh']) {
      assert.ok(scripts.includes(s), s);
    }
  });

  it('pass shellcheck', () => {
    const r = spawnSync('shellcheck', ['--external-sources', ...scripts], { cwd: repo, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stdout + r.stderr);
  });
});

describe('deploy/prometheus/prometheus.yml in a real Prometheus', () => {
  let prometheus: Prometheus | undefined;
  let url = '';

  before(async () => {
    // Same config, with the rules path pointing at the chart's file as the compose volume does.
    const config = readFileSync(join(repo, 'deploy/prometheus/prometheus.yml'), 'utf8').replace(
      '/etc/prometheus/rules/*.yaml',
      join(repo, 'operator/chart/files/rules.yaml')
    );
    prometheus = await startPrometheus({ config });
    url = prometheus.url;
  });
  after(() => prometheus?.stop());

  it('loads every alerting and recording rule of the chart', async () => {
    const body = (await (await fetch(`${url}/api/v1/rules`)).json()) as any;
    const rules = body.data.groups.flatMap((g: any) => g.rules.map((r: any) => r.name));
    const shipped = parse(readFileSync(join(repo, 'operator/chart/files/rules.yaml'), 'utf8')).groups.flatMap(
      (g: any) => g.rules.map((r: any) => r.alert ?? r.record)
    );
    assert.ok(shipped.length >= 10, `rules.yaml lists ${shipped.length} rules`);
    assert.deepEqual(rules.sort(), shipped.sort());
    assert.ok(rules.includes('HexactfOperatorAbsent') && rules.includes('hexactf:user_instances:count'));
  });

  it('scrapes the operator NodePort on the kind node as job challenge-operator', async () => {
    // Static targets show up after the first service-discovery sync.
    const findTarget = async () => {
      const body = (await (await fetch(`${url}/api/v1/targets`)).json()) as any;
      return body.data.activeTargets.find((t: any) => t.labels.job === 'challenge-operator');
    };
    const target: any = await waitFor('the challenge-operator target', findTarget, 10_000, 100).catch(() => undefined);
    assert.equal(target?.labels.instance, 'hexactf-control-plane:30080');
  });
});
