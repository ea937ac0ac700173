// Kubernetes resource quantities ("250m", "1.5", "128Mi", "1e3") as plain numbers (cores or bytes).
const SUFFIX: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

export function parseQuantity(q: string | number | undefined): number | undefined {
  if (q === undefined || q === null) {
    return undefined;
  }
  if (typeof q === 'number') {
    return Number.isFinite(q) ? q : undefined;
  }
  const m = /^\s*([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)([a-zA-Z]*)\s*$/.exec(q);
  if (!m) {
    return undefined;
  }
  const mult = SUFFIX[m[2]];
  if (mult === undefined) {
    return undefined;
  }
  return Number(m[1]) * mult;
}
