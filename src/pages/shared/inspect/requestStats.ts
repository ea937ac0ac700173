import type { PanelData } from '@grafana/data';

/** Rows in all the frames of the response. */
const rowCount = (data: PanelData) => data.series.reduce((sum, frame) => sum + frame.length, 0);

export interface Stat {
  label: string;
  value: string;
}

/**
 * What the Query tab tells about the panel's last request and its response: the time range and interval it asked
 * for, how much came back, and how long it took when the request carries its end time.
 */
export function requestStats(data: PanelData): Stat[] {
  const stats: Stat[] = [];
  const request = data.request;
  if (request) {
    const { range } = request;
    stats.push({
      label: 'Time range',
      // In UTC, with the picker's relative range after it when it has one (now-6h to now).
      value:
        `${range.from.toISOString()} to ${range.to.toISOString()}` +
        (typeof range.raw.from === 'string' && typeof range.raw.to === 'string'
          ? ` (${range.raw.from} to ${range.raw.to})`
          : ''),
    });
    stats.push({ label: 'Interval (range query step)', value: `${request.interval} (${request.intervalMs} ms)` });
    if (request.maxDataPoints !== undefined) {
      stats.push({ label: 'Max data points', value: String(request.maxDataPoints) });
    }
    stats.push({ label: 'Queries', value: String(request.targets.length) });
    stats.push({ label: 'Sent at', value: new Date(request.startTime).toISOString() });
    if (request.endTime !== undefined) {
      stats.push({ label: 'Request duration', value: `${request.endTime - request.startTime} ms` });
    }
  }
  stats.push({ label: 'State', value: data.state });
  stats.push({ label: 'Frames (series)', value: String(data.series.length) });
  stats.push({ label: 'Rows', value: String(rowCount(data)) });
  return stats;
}

const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** One line for the drawer's subtitle: how many queries, rows and, when known, milliseconds the last request took. */
export function requestSummary(data: PanelData | undefined): string | undefined {
  const request = data?.request;
  if (!data || !request) {
    return undefined;
  }
  const parts = [count(request.targets.length, 'query', 'queries'), count(rowCount(data), 'row', 'rows')];
  if (request.endTime !== undefined) {
    parts.push(`${request.endTime - request.startTime} ms`);
  }
  return parts.join(', ');
}
