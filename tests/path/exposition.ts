// The samples of a Prometheus text exposition, as the path test reads the operator's /metrics directly (what it
// exported is the figure Prometheus' answers are compared with).

export interface ExpositionSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

function labelsOf(text: string): Record<string, string> {
  return Object.fromEntries([...text.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
}

/** Every labelled sample line (comments and label-less lines are skipped: the path test reads no such series). */
export function expositionSamples(text: string): ExpositionSample[] {
  return text.split('\n').flatMap((line) => {
    const m = /^(\w+)\{(.*)\} (\S+)$/.exec(line);
    return m ? [{ name: m[1], labels: labelsOf(m[2]), value: Number(m[3]) }] : [];
  });
}
