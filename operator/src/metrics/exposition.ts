// Prometheus text exposition helpers, written for speed: label values are escaped only when they need it.
const NEEDS_ESCAPE = /[\\"\n]/;

export function escapeLabelValue(v: string): string {
  if (!NEEDS_ESCAPE.test(v)) {
    return v;
  }
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** `{a="x",b="y"}` for label names known to be valid. */
export function labelSet(names: readonly string[], values: readonly string[]): string {
  let out = '{';
  for (let i = 0; i < names.length; i++) {
    if (i) {
      out += ',';
    }
    out += names[i] + '="' + escapeLabelValue(values[i] ?? '') + '"';
  }
  return out + '}';
}

export function header(name: string, help: string, type: 'gauge' | 'counter'): string {
  return `# HELP ${name} ${help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}\n# TYPE ${name} ${type}\n`;
}

export function formatValue(v: number): string {
  if (Number.isNaN(v)) {
    return 'NaN';
  }
  if (v === Infinity) {
    return '+Inf';
  }
  if (v === -Infinity) {
    return '-Inf';
  }
  return String(v);
}
