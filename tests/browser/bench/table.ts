/** The benchmark's table of pages (a header and a row per page, printed as each is measured) and its verdicts. */
import type { PageFigures } from './measure.ts';
import { describeWaves } from './queries.ts';

export const pad = (s: string | number, n: number) => String(s).padStart(n);
export const ratio = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(1)}x` : '-');

export function tableHeader(): string {
  return (
    `  ${'page'.padEnd(20)}${pad('cold ms', 9)}${pad('in-app ms', 11)}${pad('Prom ms', 9)}${pad('x Prom', 8)}` +
    `${pad('queries', 9)}${pad('waves', 7)}${pad('expr B', 8)}${pad('request B', 11)}${pad('heap MB', 9)}${pad('after GC', 10)}`
  );
}

export function tableRow(f: PageFigures): string {
  return (
    `  ${(f.once ? `${f.name} *` : f.name).padEnd(20)}${pad(f.coldMs.toFixed(0), 9)}${pad(f.navMs.toFixed(0), 11)}` +
    `${pad(f.promMs.toFixed(0), 9)}${pad(ratio(f.navMs, f.promMs), 8)}${pad(f.queries, 9)}${pad(f.waves, 7)}` +
    `${pad(f.exprBytes, 8)}${pad(f.requestBytes, 11)}${pad(f.heapMB.toFixed(0), 9)}${pad(f.heapGcMB.toFixed(0), 10)}`
  );
}

/** met, or MISSED with each slow page's figures over the target. */
export function settleVerdict(slow: PageFigures[], targetMs: number): string {
  const over = (ms: number) => (ms > targetMs ? ms.toFixed(0) : 'ok');
  return slow.length === 0
    ? 'met'
    : `MISSED (${slow.map((f) => `${f.name}: cold ${over(f.coldMs)}, in-app ${over(f.navMs)}`).join('; ')})`;
}

/** The requests of each slow page's last in-app run, in its waves (what to look at first). */
export function printSlowWaves(slow: PageFigures[]) {
  for (const f of slow) {
    console.log(`    ${f.name}, its requests (last in-app run):\n      ${describeWaves(f.sent).join('\n      ')}`);
  }
}
