// Condition bookkeeping (metav1.Condition semantics: lastTransitionTime moves only when status flips).
import type { ChallengeStatus, Condition } from '../api/types.ts';

export const COND_READY = 'Ready';
export const COND_DEFINITION = 'DefinitionResolved';
export const COND_DELETING = 'CleanupBlocked';

/** Error reasons that are re-evaluated on every reconcile (the cause can go away by itself). */
export const RECOVERABLE_REASONS = new Set(['DefinitionNotFound', 'QuotaExceeded', 'MissingLabels']);

export function setCondition(status: ChallengeStatus, c: Omit<Condition, 'lastTransitionTime'>, nowIso: string): void {
  const list = (status.conditions ??= []);
  const i = list.findIndex((x) => x.type === c.type);
  const old = i >= 0 ? list[i] : undefined;
  const next: Condition = {
    ...c,
    message: c.message.slice(0, 32768),
    lastTransitionTime: old && old.status === c.status ? old.lastTransitionTime : nowIso,
  };
  if (i >= 0) {
    list[i] = next;
  } else {
    list.push(next);
  }
}

export function getCondition(status: ChallengeStatus | undefined, type: string): Condition | undefined {
  return status?.conditions?.find((c) => c.type === type);
}

export function removeCondition(status: ChallengeStatus, type: string): void {
  if (!status.conditions) {
    return;
  }
  status.conditions = status.conditions.filter((c) => c.type !== type);
}

/** Canonical JSON (sorted keys) so "did the status change?" ignores key order. */
export function stableJson(v: unknown): string {
  if (Array.isArray(v)) {
    return `[${v.map(stableJson).join(',')}]`;
  }
  if (v && typeof v === 'object' && !(v instanceof Date)) {
    return `{${Object.keys(v)
      .filter((k) => (v as any)[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson((v as any)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

/** True when every field of `want` is present in `have` with the same value (extra defaulted fields are fine). */
export function isSubset(want: unknown, have: unknown): boolean {
  if (want === null || want === undefined) {
    return true;
  }
  if (Array.isArray(want)) {
    if (!Array.isArray(have) || have.length !== want.length) {
      return false;
    }
    return want.every((w, i) => isSubset(w, have[i]));
  }
  if (typeof want === 'object') {
    if (!have || typeof have !== 'object') {
      return false;
    }
    return Object.entries(want as object).every(([k, w]) => isSubset(w, (have as any)[k]));
  }
  if (typeof want === 'number' && typeof have === 'string') {
    return String(want) === have;
  }
  return want === have;
}
