// What the workload bench reads from the operator's /metrics text and from /proc, and how it prints it.
import { readFileSync } from 'node:fs';

/** histogram_quantile's linear interpolation over cumulative buckets parsed from the exposition text. */
export function histogramQuantile(text: string, metric: string, q: number, filter = ''): number {
  const buckets: Array<[number, number]> = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${metric}_bucket{`) || !line.includes(filter)) {
      continue;
    }
    const le = /le="([^"]+)"/.exec(line)![1];
    const v = Number(line.slice(line.lastIndexOf(' ') + 1));
    const bound = le === '+Inf' ? Infinity : Number(le);
    const existing = buckets.find((b) => b[0] === bound);
    if (existing) {
      existing[1] += v; // several label sets (e.g. per definition): add them up
    } else {
      buckets.push([bound, v]);
    }
  }
  buckets.sort((a, b) => a[0] - b[0]);
  const total = buckets.at(-1)?.[1] ?? 0;
  if (total === 0) {
    return NaN;
  }
  const rank = q * total;
  let prevBound = 0;
  let prevCount = 0;
  for (const [bound, count] of buckets) {
    if (count >= rank) {
      if (bound === Infinity) {
        return prevBound;
      }
      return prevBound + ((bound - prevBound) * (rank - prevCount)) / Math.max(1, count - prevCount);
    }
    prevBound = bound;
    prevCount = count;
  }
  return prevBound;
}

/** Sum of a metric's series whose line contains `filter`. */
export function sumOf(text: string, metric: string, filter = ''): number {
  let s = 0;
  for (const line of text.split('\n')) {
    if ((line.startsWith(`${metric}{`) || line.startsWith(`${metric} `)) && line.includes(filter)) {
      s += Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return s;
}

/** A process's resident memory, from /proc. */
export function rssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

/** A process's CPU time (user + system) in seconds, from /proc/<pid>/stat (clock ticks of 1/100 s). */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces): state is the 3rd field, utime the 14th, stime the 15th.
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

export const ms = (s: number) => `${(s * 1000).toFixed(1)} ms`;
export const mib = (b: number) => `${(b / 1048576).toFixed(0)} MiB`;
