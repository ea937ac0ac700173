/**
 * Benchmark: every page of the built plugin in Chromium (the browser test's host and rig) against a real Prometheus
 * holding an event: USERS x CHALLENGES Challenge instances over a few hours with operator restarts (instances over
 * several series), challenge_info, requests, lifecycle and controller metrics (eventPrometheus.ts). Per page:
 * - settled: time from navigation to the last panel painted (probe.ts), cold (a fresh tab loading the page: host
 *   boot, module.js, the page) and in-app (the plugin loaded, the route pushed): median of RUNS in-app runs;
 * - the page's Prometheus requests: how many, the largest PromQL and the largest request (URL + body), bytes;
 * - Prometheus alone: the same requests sent to it directly in the page's waves (queries.ts), median of RUNS;
 * - JS heap after settling (CDP), and after a full GC; the host page alone (no app page) for reference;
 * - Users x Challenges: a bare TableNG of the same answer in the same host (bareTable.tsx), and scrolling the
 *   matrix through all rows, one step per frame: the longest frame gap and long animation frame.
 * Targets are printed met or not; a page that misses one gets a CPU profile (profile.ts) whose summary is printed.
 *
 * Run: npm run bench:browser. Env: BENCH_SHORT=1 (100 x 20, 2 h), BENCH_RUNS (default 3), BENCH_PAGES (paths, comma-separated;
 * default all), BENCH_RULES=0 (no second pass with the chart's recording rules), BENCH_RULES=only (one pass, with the
 * rules: the event-scale figures without the minutes the Prometheus-bound pages take without them).
 */
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import type { BrowserContext } from 'playwright-core';
import { DEFAULT_DELETED_SERIES_RETENTION_SECONDS } from '@hexactf/contract';
import { toolPath } from '@hexactf/testing/tools';
import { REPO } from '../buildHost.ts';
import { CHROMIUM } from '../chromium.ts';
import { DASHBOARD_RULE_GROUP, addDashboardRules } from '@hexactf/testing/dashboard-rules';
import { startEventPrometheus, type EventPrometheus } from '../eventPrometheus.ts';
import { BUILD_DIR, startRig } from '../rig.ts';
import { buildBench } from './buildBench.ts';
import { heap, waitSettled } from './probe.ts';
import { startProfile, stopProfile } from './profile.ts';
import { pad, printSlowWaves, ratio, settleVerdict, tableHeader, tableRow } from './table.ts';
import {
  APP,
  CHALLENGES,
  END_S,
  GRID,
  PAGE_READY,
  RANGE,
  RUNS,
  SHORT,
  SLOW_MS,
  SPAN_S,
  USERS,
  bareTable,
  mb,
  measurePage,
  navigateInApp,
  newPage,
  scrollThrough,
  type PageFigures,
} from './measure.ts';

const ALL_PAGES = [
  ['Overview', 'overview'],
  ['Users x Challenges', 'users-challenges'],
  ['Usage', 'usage'],
  ['Triage', 'triage'],
  ['Lifecycle', 'lifecycle'],
] as const;
/** BENCH_PAGES=users-challenges,triage: only those pages (the bare table and the scroll need users-challenges). */
const PAGES = process.env.BENCH_PAGES
  ? ALL_PAGES.filter(([, path]) => process.env.BENCH_PAGES!.split(',').includes(path))
  : ALL_PAGES;
/** BENCH_RULES=0: only the pass without the chart's recording rules; BENCH_RULES=only: only the pass with them. */
const WITH_RULES = process.env.BENCH_RULES !== '0';
const RULES_ONLY = process.env.BENCH_RULES === 'only';
const FIRST_PASS = RULES_ONLY ? 'with the rules' : 'without the rules';
const PROFILES = join(REPO, 'tests/browser/bench/.profiles');

const TARGET = { settleMs: 3000, bareRatio: 1.2, heapMB: 200, frameMs: 50, queryBytes: 4096 };

const met = (ok: boolean) => (ok ? 'met' : 'MISSED');

async function main() {
  if (!PAGES.some(([, path]) => path === 'users-challenges')) {
    throw new Error(
      'BENCH_PAGES must include users-challenges (the bare table and the scroll are measured against it)'
    );
  }
  const started = Date.now();
  const rig = await startRig({
    subPath: false,
    beforeServe: () => buildBench(BUILD_DIR),
    prometheus: () =>
      startEventPrometheus({
        instances: USERS * CHALLENGES,
        users: USERS,
        challenges: CHALLENGES,
        spanS: SPAN_S,
        endS: END_S,
        scrapeIntervalS: 30,
        meanLifetimeS: 2700,
        errorRatio: 0.08,
        retentionS: DEFAULT_DELETED_SERIES_RETENTION_SECONDS,
        namespace: 'hexactf',
        seed: 1,
        restartEveryS: 1500,
      }),
  });
  const prom = rig.prometheus as Awaited<ReturnType<typeof startEventPrometheus>>;
  try {
    const { context } = rig.browser;
    const base = rig.root.url;
    console.log(
      `browser bench${SHORT ? ' (short)' : ''}: ${USERS} users x ${CHALLENGES} challenges = ${USERS * CHALLENGES} instances ` +
        `over ${SPAN_S / 3600} h, ${prom.statusSeries} challenge_resource_status series, ${prom.seriesCount} series in all ` +
        `(generated in ${prom.generateS.toFixed(0)} s, backfilled in ${prom.backfillS.toFixed(0)} s)`
    );
    console.log(
      `  ${execFileSync(CHROMIUM, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()}; Prometheus ${execFileSync(
        toolPath('prometheus'),
        ['--version'],
        { encoding: 'utf8' }
      )
        .split('\n')[0]
        .replace(/^prometheus, version /, '')}; ` +
        `${cpus().length} cores, load ${loadavg()
          .map((l) => l.toFixed(2))
          .join(' ')}; median of ${RUNS} runs`
    );

    const blank = await newPage(context);
    await blank.goto(`${base}/bench/blank?${RANGE}`);
    await blank.waitForSelector('.main-view', { state: 'attached' });
    await blank.waitForLoadState('networkidle');
    const hostHeap = await heap(await context.newCDPSession(blank));
    await blank.close();

    const all: PageFigures[] = [];
    let matrix:
      { scroll: Awaited<ReturnType<typeof scrollThrough>>; width: number; height: number; body: string } | undefined;
    console.log(
      `\n  host page alone (no app page): heap ${mb(hostHeap.used).toFixed(0)} MB, ${mb(hostHeap.afterGc).toFixed(0)} MB after GC`
    );
    if (RULES_ONLY) {
      await loadRules(prom);
    } else {
      console.log(`  without the chart's recording rules:`);
    }
    console.log(tableHeader());
    for (const [name, path] of PAGES) {
      const { figures: f, page } = await measurePage(context, base, prom.url, name, path);
      all.push(f);
      // Each row as soon as it is measured.
      console.log(tableRow(f));
      if (path === 'users-challenges') {
        const box = (await page.locator(GRID).first().boundingBox())!;
        const body = f.sent.find((q) => q.body.includes('label_join'))?.body;
        if (!body) {
          throw new Error('the Users x Challenges page sent no matrix query (label_join)');
        }
        matrix = {
          scroll: await scrollThrough(page, GRID),
          width: Math.round(box.width),
          height: Math.round(box.height),
          body,
        };
      }
      await page.close();
    }
    const bare = await bareTable(context, base, matrix!.body, matrix!.width, matrix!.height);

    if (all.some((f) => f.once)) {
      console.log(`  * over ${SLOW_MS / 1000} s: measured once, not ${RUNS} times`);
    }
    const uc = all.find((f) => f.name === 'Users x Challenges')!;
    console.log(
      `  ${'bare TableNG'.padEnd(20)}${pad(bare.coldMs.toFixed(0), 9)}${pad(bare.ms.toFixed(0), 11)}${pad('', 9)}${pad('', 8)}` +
        `${pad(1, 9)}${pad(1, 7)}${pad('', 8)}${pad('', 11)}${pad(bare.heapMB.toFixed(0), 9)}${pad(bare.heapGcMB.toFixed(0), 10)}` +
        `   (Users x Challenges in-app / bare: ${ratio(uc.navMs, bare.ms)}, heap ${ratio(uc.heapMB, bare.heapMB)})`
    );
    console.log(
      `  data to painted table (last instant query answered -> settled): Users x Challenges ${uc.paintMs.toFixed(0)} ms, ` +
        `bare TableNG ${bare.paintMs.toFixed(0)} ms (${ratio(uc.paintMs, bare.paintMs)})`
    );
    const s = matrix!.scroll;
    console.log(
      `  scrolling (${matrix!.width}x${matrix!.height} px, 120 px a frame, median pass of ${s.passes} by its longest frame gap; worst pass):\n` +
        `    the matrix:   ${s.height} px of rows, ${s.steps} steps, ${s.ms.toFixed(0)} ms, longest frame gap ${s.maxGap.toFixed(0)} ms, ` +
        `longest animation frame ${s.longestLoaf.toFixed(0)} ms; worst ${s.worstGap.toFixed(0)} / ${s.worstLoaf.toFixed(0)} ms\n` +
        (bare.scroll.steps > 0
          ? `    bare TableNG: ${bare.scroll.height} px of rows, ${bare.scroll.steps} steps, ${bare.scroll.ms.toFixed(0)} ms, ` +
            `longest frame gap ${bare.scroll.maxGap.toFixed(0)} ms, longest animation frame ${bare.scroll.longestLoaf.toFixed(0)} ms; ` +
            `worst ${bare.scroll.worstGap.toFixed(0)} / ${bare.scroll.worstLoaf.toFixed(0)} ms`
          : '    bare TableNG: its grid did not scroll (0 steps), not measured')
    );

    // Targets
    const maxExpr = Math.max(...all.map((f) => f.exprBytes));
    const slow = all.filter((f) => f.navMs > TARGET.settleMs || f.coldMs > TARGET.settleMs);
    const heavy = all.filter((f) => f.heapMB > TARGET.heapMB);
    const bareRatio = uc.navMs / bare.ms;
    const paintRatio = uc.paintMs / bare.paintMs;
    const scrollMs = Math.max(s.maxGap, s.longestLoaf);
    console.log('\n  targets:');
    console.log(
      `    "All" sends no value list: largest PromQL ${maxExpr} B (< ${TARGET.queryBytes} B, ${USERS} users): ${met(maxExpr < TARGET.queryBytes)}`
    );
    console.log(
      `    every page settles within ${TARGET.settleMs} ms (cold and in-app), ${FIRST_PASS}: ${settleVerdict(slow, TARGET.settleMs)}`
    );
    console.log(
      `    Users x Challenges within ${TARGET.bareRatio}x of the bare table: ${bareRatio.toFixed(2)}x ${met(bareRatio <= TARGET.bareRatio)}` +
        ` (in-app, with the page's Prometheus waves); from data to painted table ${paintRatio.toFixed(2)}x ${met(paintRatio <= TARGET.bareRatio)}`
    );
    console.log(
      `    no page over ${TARGET.heapMB} MB of JS heap: ${met(heavy.length === 0)}${heavy.length ? ` (${heavy.map((f) => f.name).join(', ')})` : ''}`
    );
    console.log(
      `    scrolling the matrix under ${TARGET.frameMs} ms a frame: ${scrollMs.toFixed(0)} ms ${met(scrollMs < TARGET.frameMs)}` +
        ` (bare TableNG ${Math.max(bare.scroll.maxGap, bare.scroll.longestLoaf).toFixed(0)} ms)`
    );

    // Profiles of the misses: one more in-app navigation (or scroll) under the CPU profiler.
    // A page whose time is Prometheus' (in-app under 1.5x of Prometheus alone) is not profiled: its figure says so.
    const browserBound = (f: PageFigures) => f.navMs > 1.5 * f.promMs || f.coldMs > 1.5 * f.promMs + 2000;
    const promBound = slow.filter((f) => !browserBound(f));
    if (promBound.length) {
      console.log(
        `\n  Prometheus-bound (in-app within 1.5x of Prometheus alone), not profiled: ${promBound.map((f) => `${f.name} ${f.promMs.toFixed(0)} of ${f.navMs.toFixed(0)} ms`).join(', ')}`
      );
    }
    const toProfile = new Set([...slow.filter(browserBound), ...heavy].map((f) => f.name));
    if (bareRatio > TARGET.bareRatio || paintRatio > TARGET.bareRatio) {
      toProfile.add('Users x Challenges');
    }
    for (const [, path] of PAGES.filter(([n]) => toProfile.has(n))) {
      const page = await newPage(context);
      await page.goto(`${base}/bench/blank?${RANGE}`);
      await page.waitForSelector('.main-view', { state: 'attached' });
      await page.waitForLoadState('networkidle');
      const cdp = await context.newCDPSession(page);
      await startProfile(cdp);
      const from = await page.evaluate((u) => {
        const t = performance.now();
        history.pushState({}, '', u);
        dispatchEvent(new PopStateEvent('popstate', { state: {} }));
        return t;
      }, `${APP}/${path}?${RANGE}`);
      await waitSettled(page, from, PAGE_READY);
      console.log(`\n  ${(await stopProfile(cdp, PROFILES, `${SHORT ? 'short-' : ''}${path}`)).join('\n  ')}`);
      if (path === 'users-challenges' && scrollMs >= TARGET.frameMs) {
        await startProfile(cdp);
        await scrollThrough(page, GRID);
        console.log(`\n  ${(await stopProfile(cdp, PROFILES, `${SHORT ? 'short-' : ''}matrix-scroll`)).join('\n  ')}`);
      }
      await page.close();
    }
    if (scrollMs >= TARGET.frameMs && !toProfile.has('Users x Challenges')) {
      const { page } = await navigateInApp(context, base, `${APP}/users-challenges`);
      const cdp = await context.newCDPSession(page);
      await startProfile(cdp);
      await scrollThrough(page, GRID);
      console.log(`\n  ${(await stopProfile(cdp, PROFILES, `${SHORT ? 'short-' : ''}matrix-scroll`)).join('\n  ')}`);
      await page.close();
    }
    printSlowWaves(slow);
    if (WITH_RULES && !RULES_ONLY) {
      await measureWithRules(context, base, prom);
    }
    console.log(
      `\n  done in ${((Date.now() - started) / 1000).toFixed(0)} s; load now ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`
    );
  } finally {
    await rig.stop();
  }
}

/** The chart's dashboard recording rules, backfilled over the event and loaded into its Prometheus. */
async function loadRules(prom: EventPrometheus) {
  const rulesS = await addDashboardRules({
    prometheusUrl: prom.url,
    repo: REPO,
    dataDir: prom.dataDir,
    scratchDir: prom.scratchDir,
    startS: END_S - SPAN_S,
    endS: END_S,
    evalIntervalS: 30,
  });
  console.log(
    `\n  with the chart's recording rules (group ${DASHBOARD_RULE_GROUP}, backfilled every 30 s of the event and loaded ` +
      `in ${rulesS.toFixed(0)} s; load ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}):`
  );
}

/**
 * The same event with the chart's dashboard recording rules, which an operator at event scale runs (the app reads
 * them when Prometheus has them: the over-time and peak panels): every page measured again.
 */
async function measureWithRules(context: BrowserContext, base: string, prom: EventPrometheus) {
  await loadRules(prom);
  console.log(tableHeader());
  const withRules: PageFigures[] = [];
  for (const [name, path] of PAGES) {
    const { figures, page } = await measurePage(context, base, prom.url, name, path);
    withRules.push(figures);
    console.log(tableRow(figures));
    await page.close();
  }
  const slowWithRules = withRules.filter((f) => f.navMs > TARGET.settleMs || f.coldMs > TARGET.settleMs);
  console.log(
    `    every page settles within ${TARGET.settleMs} ms (cold and in-app), with the rules: ${settleVerdict(slowWithRules, TARGET.settleMs)}`
  );
  printSlowWaves(slowWithRules);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  }
);
