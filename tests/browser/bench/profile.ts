/** CPU profile of a stretch of the page (CDP Profiler), summarised by self time per function and per script. */
import { writeFileSync, mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { CDPSession } from 'playwright-core';

interface Node {
  id: number;
  hitCount?: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
}
interface Profile {
  nodes: Node[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export async function startProfile(cdp: CDPSession): Promise<void> {
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 500 });
  await cdp.send('Profiler.start');
}

/** Stops, saves the .cpuprofile (Chrome DevTools opens it) and returns the summary lines. */
export async function stopProfile(cdp: CDPSession, dir: string, name: string, top = 8): Promise<string[]> {
  const { profile } = (await cdp.send('Profiler.stop')) as unknown as { profile: Profile };
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.cpuprofile`);
  writeFileSync(file, JSON.stringify(profile));
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000));
  const byFn = new Map<string, number>();
  const byScript = new Map<string, number>();
  for (const n of profile.nodes) {
    const ms = self.get(n.id) ?? 0;
    const f = n.callFrame;
    const script = f.url ? basename(new URL(f.url, 'http://x').pathname) : f.functionName || '(native)';
    const fn = `${f.functionName || '(anonymous)'} ${script}:${f.lineNumber + 1}:${f.columnNumber + 1}`;
    byFn.set(fn, (byFn.get(fn) ?? 0) + ms);
    byScript.set(script, (byScript.get(script) ?? 0) + ms);
  }
  const total = (profile.endTime - profile.startTime) / 1000;
  const fmt = (m: Map<string, number>) =>
    [...m]
      .filter(([k]) => !k.startsWith('(idle)'))
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, v]) => `${v.toFixed(0).padStart(6)} ms  ${k}`);
  return [
    `profile ${name}: ${total.toFixed(0)} ms sampled, ${file}`,
    '  self time by script:',
    ...fmt(byScript).map((l) => `    ${l}`),
    '  self time by function:',
    ...fmt(byFn).map((l) => `    ${l}`),
  ];
}
