// The syntaxes of flag values: Go durations, and the comma-separated lists of --namespace, --allowed-capabilities
// and --allowed-runtime-classes. A value that does not parse is a FlagError (main.ts prints the usage for it).

export class FlagError extends Error {}

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Go duration syntax: "300ms", "1.5h", "2h45m", "0". */
export function parseDuration(s: string): number {
  if (s === '0') {
    return 0;
  }
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/gy;
  let total = 0;
  let pos = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s))) {
    total += Number(m[1]) * UNIT_MS[m[2]];
    pos = re.lastIndex;
  }
  if (pos !== s.length || s.length === 0) {
    throw new Error(`invalid duration "${s}" (use e.g. 30s, 5m, 1h30m)`);
  }
  return total;
}

/** Milliseconds as a Go duration ("1h30m"), for messages. */
export function formatDuration(ms: number): string {
  if (ms === 0) {
    return '0s';
  }
  const parts: string[] = [];
  let rest = ms;
  for (const [unit, size] of [
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  if (rest) {
    parts.push(`${rest}ms`);
  }
  return parts.join('');
}

/** A comma-separated list of Kubernetes object names, each checked against `pattern` and `max` length. */
function nameList(value: string, flag: string, what: string, pattern: RegExp, max: number): string[] {
  const names = value
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean);
  for (const n of names) {
    if (!pattern.test(n) || n.length > max) {
      throw new FlagError(`--${flag}: "${n}" is not ${what}`);
    }
  }
  return [...new Set(names)];
}

/** --namespace as a list; empty = all namespaces. */
export function namespaceList(value: string): string[] {
  return nameList(value, 'namespace', 'a namespace name', /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 63);
}

/** --allowed-runtime-classes as a list of RuntimeClass names (DNS subdomains); empty = none. */
export function runtimeClassList(value: string): string[] {
  return nameList(
    value,
    'allowed-runtime-classes',
    'a RuntimeClass name',
    /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/,
    253
  );
}

/** --allowed-capabilities as a list of Kubernetes capability names (upper case, no CAP_ prefix). */
export function capabilityList(value: string): string[] {
  const names = value
    .split(',')
    .map((c) => c.trim().toUpperCase().replace(/^CAP_/, ''))
    .filter(Boolean);
  for (const name of names) {
    if (!/^[A-Z_]+$/.test(name) || name === 'ALL') {
      throw new FlagError(`--allowed-capabilities: "${name}" is not a capability name (ALL is refused)`);
    }
  }
  return [...new Set(names)];
}
