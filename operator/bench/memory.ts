// The operator's memory at 10,000 Challenges with their 30,000 children cached (Deployment, Service and Pod, built
// by the operator's desiredChildren() and given apiserver-like metadata, managedFields and status), plus the
// /metrics collector after a scrape. Each way of caching runs in a process of its own, fed page by page (500
// objects per page, as the apiserver lists them) through the operator's Informer; RSS is read from /proc.
// Creating 40,000 objects through the test apiserver would take longer than this machine allows a benchmark.
// Baselines in the same run: a process with the caches empty, and one caching whole objects (no projections).
import { spawnSync } from 'node:child_process';
import { createReadStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Informer } from '../src/kube/informer.ts';
import type { ListWatch } from '../src/kube/list-watch.ts';
import { realClock } from '../src/clock.ts';
import { desiredChildren } from '../src/controller/children.ts';
import { ChallengeCollector } from '../src/metrics/challenge-collector.ts';
import { SharedRender } from '../src/metrics/shared-render.ts';
import { projectCustom, projectDeployment, projectPod, projectSpecOnly } from '../src/controller/projections.ts';
import { ANNOTATION_CHALLENGE, type KubeObject } from '../src/api/types.ts';
import { filledInformer, makeChallenges, makeDefinitions } from './fixtures.ts';
import { IMAGE_NODE_FLAGS, row, short } from './report.ts';
import { asStored, podOf } from './stored-objects.ts';

function settle(): NodeJS.MemoryUsage {
  const gc = (globalThis as { gc?: () => void }).gc;
  for (let i = 0; i < 3; i++) {
    gc?.();
  }
  return process.memoryUsage();
}

const KINDS = ['challenges', 'deployments', 'services', 'pods'] as const;
const PAGE = 500;
type Mode = 'empty' | 'projected' | 'whole';

/** Writes the objects as list pages (one JSON array of up to 500 per line), as the apiserver hands them out. */
function writePages(file: string, items: KubeObject[]): void {
  const lines: string[] = [];
  for (let i = 0; i < items.length; i += PAGE) {
    lines.push(JSON.stringify(items.slice(i, i + PAGE)));
  }
  writeFileSync(file, lines.join('\n') + '\n');
}

/** A ListWatch over such a file: one page parsed at a time, transformed page by page like kube/list-watch.ts. */
function pagedFileListWatch<T extends KubeObject>(file: string): ListWatch<T> {
  return {
    async list(transform) {
      const items: T[] = [];
      for await (const line of createInterface({ input: createReadStream(file) })) {
        if (!line) {
          continue;
        }
        for (const o of JSON.parse(line) as T[]) {
          items.push(transform ? transform(o) : o);
        }
      }
      return { items, resourceVersion: '1', transformed: !!transform };
    },
    watch: async () => ({ abort() {} }),
  };
}

function vmRssBytes(): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
}

/** One process, one way of caching: what its memory is once the caches are full and /metrics was rendered. */
async function child(mode: Mode, dir: string): Promise<void> {
  const transforms = {
    challenges: projectCustom,
    deployments: projectDeployment,
    services: projectSpecOnly,
    pods: projectPod,
  };
  const caches: Record<string, Informer<any>> = {};
  if (mode !== 'empty') {
    for (const kind of KINDS) {
      const inf = new Informer<any>(pagedFileListWatch(join(dir, `${kind}.ndjson`)), {
        name: kind,
        transform: mode === 'projected' ? transforms[kind] : undefined,
      });
      inf.start();
      await inf.waitForSync();
      caches[kind] = inf;
    }
  }
  const defs = await filledInformer('definitions', makeDefinitions(), mode === 'projected' ? projectCustom : undefined);
  const collector = new ChallengeCollector(
    {
      challenges: () => caches.challenges?.list() ?? [].values(),
      get: (k) => caches.challenges?.get(k),
      definitions: () => defs.list(),
      definition: (ns, name) => defs.get(`${ns}/${name}`),
    },
    realClock,
    60_000
  );
  // A scrape as Prometheus makes it: the text and its gzip form, whose pieces the collector keeps between scrapes.
  const text = await new SharedRender((push) => collector.renderPieces(push)).get();
  const bytes = text.length;
  await text.gzipped();
  const m = settle();
  process.stdout.write(
    JSON.stringify({
      rss: vmRssBytes(),
      heapTotal: m.heapTotal,
      heapUsed: m.heapUsed,
      external: m.external,
      arrayBuffers: m.arrayBuffers,
      bytes,
    }) + '\n'
  );
  for (const inf of [...Object.values(caches), defs]) {
    inf.stop();
  }
}

async function memoryBench(n: number): Promise<void> {
  const defs = makeDefinitions();
  const defByKey = new Map(defs.map((d) => [`${d.metadata.namespace}/${d.metadata.name}`, d]));
  const dir = mkdtempSync(join(tmpdir(), 'hexactf-bench-'));
  try {
    const challenges = makeChallenges(n);
    const children: { deployments: KubeObject[]; services: KubeObject[]; pods: KubeObject[] } = {
      deployments: [],
      services: [],
      pods: [],
    };
    challenges.forEach((ch, i) => {
      for (const c of desiredChildren(ch, defByKey.get(`${ch.metadata.namespace}/${ch.spec.definition}`)!)) {
        if (c.kind === 'NetworkPolicy') {
          continue;
        } // small and one per instance; the figure is about the others
        const stored = asStored(c.object, i);
        (c.kind === 'Deployment' ? children.deployments : children.services).push(stored);
        if (c.kind === 'Deployment') {
          children.pods.push(podOf(c.object, i));
        }
      }
      // What the apiserver adds to a Challenge: managedFields of the creator and of the operator's status writes.
      (ch.metadata as unknown as Record<string, unknown>).managedFields = [
        {
          manager: 'hexactf-web',
          operation: 'Update',
          apiVersion: 'apps.hexactf.io/v1alpha1',
          time: ch.metadata.creationTimestamp,
          fieldsType: 'FieldsV1',
          fieldsV1: {
            'f:metadata': { 'f:labels': { [`f:${ANNOTATION_CHALLENGE}`]: {} } },
            'f:spec': { '.': {}, 'f:definition': {} },
          },
        },
        {
          manager: 'hexactf-challenge-operator',
          operation: 'Update',
          apiVersion: 'apps.hexactf.io/v1alpha1',
          time: ch.metadata.creationTimestamp,
          fieldsType: 'FieldsV1',
          subresource: 'status',
          fieldsV1: {
            'f:status': {
              '.': {},
              'f:conditions': {},
              'f:currentStatus': { '.': {}, 'f:errorMsg': {}, 'f:state': {} },
              'f:endpoint': {},
              'f:isOne': {},
              'f:observedGeneration': {},
              'f:startedAt': {},
            },
          },
        },
      ];
    });
    writePages(join(dir, 'challenges.ndjson'), challenges);
    for (const kind of ['deployments', 'services', 'pods'] as const) {
      writePages(join(dir, `${kind}.ndjson`), children[kind]);
    }

    const run = (mode: Mode) => {
      // V8 flags as the image's ENTRYPOINT sets them.
      const r = spawnSync(
        process.execPath,
        ['--expose-gc', ...IMAGE_NODE_FLAGS, import.meta.filename, '--child', mode, dir],
        { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }
      );
      if (r.status !== 0) {
        throw new Error(`memory child ${mode} failed`);
      }
      return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as {
        rss: number;
        heapTotal: number;
        heapUsed: number;
        external: number;
        arrayBuffers: number;
        bytes: number;
      };
    };
    const empty = run('empty');
    const projected = run('projected');
    const whole = run('whole');
    const mib = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;
    const objects = `${n} Challenges + ${3 * n} children`;
    row(
      `memory: empty caches, own process (baseline)`,
      `rss ${mib(empty.rss)}, heap used ${mib(empty.heapUsed)} of ${mib(empty.heapTotal)}`
    );
    row(
      `memory: ${objects} cached whole (before projections)`,
      `rss ${mib(whole.rss)}, heap used ${mib(whole.heapUsed)} of ${mib(whole.heapTotal)}`
    );
    row(
      `memory: ${objects}, projected, metrics built`,
      `rss ${mib(projected.rss)} (target <= 400 MiB: ${projected.rss <= 400 * 2 ** 20 ? 'met' : 'NOT met'}; ${(projected.rss / whole.rss).toFixed(2)}x whole), heap used ${mib(projected.heapUsed)} of ${mib(projected.heapTotal)} (${((projected.heapUsed - empty.heapUsed) / (whole.heapUsed - empty.heapUsed)).toFixed(2)}x whole over baseline), external ${mib(projected.external)}, array buffers ${mib(projected.arrayBuffers)}`
    );
    row(
      `memory: per Challenge (with its children and series)`,
      `${((projected.heapUsed + projected.external - empty.heapUsed - empty.external) / n / 1024).toFixed(1)} KiB heap+external projected, ${((whole.heapUsed + whole.external - empty.heapUsed - empty.external) / n / 1024).toFixed(1)} KiB whole; ${(projected.bytes / 1e6).toFixed(1)} MB exposition`
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const childAt = process.argv.indexOf('--child');
if (import.meta.main && childAt >= 0) {
  await child(process.argv[childAt + 1] as Mode, process.argv[childAt + 2]);
} else if (import.meta.main) {
  await memoryBench(short() ? 2000 : 10_000);
}
