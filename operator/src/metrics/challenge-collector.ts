// challenge_resource_status and the additive challenge_info / challenge_definition_requests (names, labels and state
// codes from the metric contract, @hexactf/contract), rendered at scrape time straight from the informer caches plus tombstones of deleted Challenges. Nothing is
// stored per series, so a restarted operator renders the same series from a fresh list.
import {
  CATEGORY_LABEL, DEFINITION_LABEL, INFO_METRIC, REQUESTS_METRIC, REQUEST_LABELS, REQUEST_RESOURCES, STATE_CODES,
  STATE_NAMES, STATUS_HELP, STATUS_LABELS, STATUS_METRIC, isStateName, type RequestResource,
} from '@hexactf/contract';
import {
  LABEL_CHALLENGE_ID, LABEL_USER,
  type Challenge, type ChallengeDefinition,
} from '../api/types.ts';
import type { Clock } from '../clock.ts';
import { parseQuantity } from '../controller/quantity.ts';
import { escapeLabelValue, formatValue, header, labelSet } from './exposition.ts';
import type { SeriesIdentity, StoredTombstone } from './series-state.ts';


export interface ChallengeSource {
  challenges(): Iterable<Challenge>;
  get(key: string): Challenge | undefined;
  definition(namespace: string, name: string): ChallengeDefinition | undefined;
  definitions(): Iterable<ChallengeDefinition>;
}

interface Lines {
  status: Buffer;
  info: Buffer;
  def: ChallengeDefinition | undefined; // the definition object the info line was built from
}

interface Tombstone {
  id: SeriesIdentity;
  labels: string; // rendered label set
  deletedAt: number;
}

/** The values of a Challenge's four status labels. */
export function seriesIdentity(ch: Challenge): SeriesIdentity {
  const l = ch.metadata.labels ?? {};
  return { namespace: ch.metadata.namespace ?? '', name: ch.metadata.name, challengeId: l[LABEL_CHALLENGE_ID] ?? '', user: l[LABEL_USER] ?? '' };
}

const keyOf = (id: SeriesIdentity) => (id.namespace ? `${id.namespace}/${id.name}` : id.name);

/** The gauge value; a state that is not ours (the original operator's None or Creating, say) counts as Pending. */
export function stateValue(ch: Challenge): number {
  if (ch.metadata.deletionTimestamp) return STATE_CODES.Deleted;
  const s: unknown = ch.status?.currentStatus?.state;
  return isStateName(s) ? STATE_CODES[s] : STATE_CODES.Pending;
}

export class ChallengeCollector {
  private readonly source: ChallengeSource;
  private readonly clock: Clock;
  private readonly retentionMs: number;
  private readonly tombstones = new Map<string, Tombstone>();
  // Encoded exposition lines per cached object version (informer updates replace objects, so identity is a safe
  // cache key): a scrape then mostly copies bytes; encoding 27 MB of text per scrape cost ~60 ms at 100k series.
  private readonly lines = new WeakMap<Challenge, Lines>();

  constructor(source: ChallengeSource, clock: Clock, retentionMs: number) {
    this.source = source;
    this.clock = clock;
    this.retentionMs = retentionMs;
  }

  /** Called when a Challenge leaves the cache: it stays exported as Deleted for the retention window. */
  onDeleted(ch: Challenge): void {
    this.addTombstone(seriesIdentity(ch), this.clock.now());
  }

  /**
   * A tombstone from before a restart (deletedAt: when it was deleted, or when the deletion was found). One already
   * known is kept as is; one whose retention has passed, or whose Challenge exists again, is not exported.
   */
  restoreTombstone(t: StoredTombstone): void {
    if (!this.tombstones.has(keyOf(t))) this.addTombstone(t, t.deletedAt);
  }

  /** The tombstones still within the retention (what a restart must keep). */
  tombstoneList(): StoredTombstone[] {
    this.prune(this.clock.now());
    return [...this.tombstones.values()].map((t) => ({ ...t.id, deletedAt: t.deletedAt }));
  }

  /** The identities of every cached Challenge (what a restart compares the fresh list with). */
  liveIdentities(): SeriesIdentity[] {
    return Array.from(this.source.challenges(), seriesIdentity);
  }

  private addTombstone(id: SeriesIdentity, deletedAt: number): void {
    const { namespace, name, challengeId, user } = id;
    const identity = { namespace, name, challengeId, user };
    this.tombstones.set(keyOf(identity), { id: identity, labels: this.renderLabels(identity), deletedAt });
    if (this.tombstones.size % 1024 === 0) this.prune(this.clock.now());
  }

  tombstoneCount(): number {
    return this.tombstones.size;
  }

  private prune(now: number): void {
    for (const [k, t] of this.tombstones) if (now - t.deletedAt >= this.retentionMs) this.tombstones.delete(k);
  }

  private statusLabels(ch: Challenge): string {
    return this.renderLabels(seriesIdentity(ch));
  }

  private renderLabels(id: SeriesIdentity): string {
    // A fixed template is several times faster than a generic loop (this runs once per object version).
    return LABEL_OPEN.challengeId + escapeLabelValue(id.challengeId) +
      LABEL_OPEN.challengeName + escapeLabelValue(id.name) +
      LABEL_OPEN.username + escapeLabelValue(id.user) +
      LABEL_OPEN.namespace + escapeLabelValue(id.namespace) + '"}';
  }

  private linesOf(ch: Challenge): Lines {
    let e = this.lines.get(ch);
    if (e === undefined) {
      const def = this.definitionOf(ch);
      e = { status: Buffer.from(STATUS_METRIC + this.statusLabels(ch) + VALUE_SUFFIX[stateValue(ch)]), info: this.infoLine(ch, def), def };
      this.lines.set(ch, e);
    }
    return e;
  }

  private definitionOf(ch: Challenge): ChallengeDefinition | undefined {
    return this.source.definition(ch.metadata.namespace ?? '', ch.spec?.definition ?? '');
  }

  private infoLine(ch: Challenge, def: ChallengeDefinition | undefined): Buffer {
    const labels = `${this.statusLabels(ch).slice(0, -1)},${DEFINITION_LABEL}="${escapeLabelValue(ch.spec?.definition ?? '')}",${CATEGORY_LABEL}="${escapeLabelValue(def?.spec?.category ?? '')}"}`;
    return Buffer.from(INFO_METRIC + labels + ' 1\n');
  }

  /** The whole text at once (tests, small caches). */
  render(): string {
    let out = '';
    for (const chunk of this.chunks()) out += chunk.toString();
    return out;
  }

  /**
   * Streams the text in pieces, yielding to the event loop whenever a slice took sliceMs: at 100,000 Challenges
   * a one-piece render and write blocked reconciles and lease renewals for ~100 ms.
   */
  async renderTo(write: (chunk: Buffer) => void, sliceMs = 5): Promise<void> {
    let sliceStart = performance.now();
    for (const chunk of this.chunks()) {
      write(chunk);
      if (performance.now() - sliceStart >= sliceMs) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        sliceStart = performance.now();
      }
    }
  }

  /** The exposition in pieces of about CHUNK_SERIES lines, from one snapshot of the cache. */
  private *chunks(): Generator<Buffer> {
    this.prune(this.clock.now());
    // One view for every family, taken before the first yield: the cache changes while the scrape yields, and a
    // Challenge deleted meanwhile must not show up both live and as a tombstone.
    const live = Array.from(this.source.challenges());
    let tombs = '';
    for (const [key, t] of this.tombstones) if (!this.source.get(key)) tombs += STATUS_METRIC + t.labels + DELETED_SUFFIX;
    const entries: Lines[] = [];
    let parts: Buffer[] = [Buffer.from(header(STATUS_METRIC, STATUS_HELP, 'gauge'))];
    let bytes = parts[0].length;
    for (const ch of live) {
      const e = this.linesOf(ch);
      entries.push(e);
      parts.push(e.status);
      bytes += e.status.length;
      if (parts.length >= CHUNK_SERIES) {
        yield Buffer.concat(parts, bytes);
        parts = [];
        bytes = 0;
      }
    }
    const tail = tombs + header(INFO_METRIC, 'One series per live Challenge with its definition and category.', 'gauge');
    parts.push(Buffer.from(tail));
    bytes += parts[parts.length - 1].length;

    // An info line names its definition's category: rebuilt when the definition object it was built from is no
    // longer the cached one (updated, deleted) or was missing (it may exist now).
    const liveDefs = new Set(this.source.definitions());
    for (let i = 0; i < live.length; i++) {
      const ch = live[i];
      if (ch.metadata.deletionTimestamp) continue;
      const e = entries[i];
      if (e.def === undefined || !liveDefs.has(e.def)) {
        const def = this.definitionOf(ch);
        if (def !== e.def) {
          e.def = def;
          e.info = this.infoLine(ch, def);
        }
      }
      parts.push(e.info);
      bytes += e.info.length;
      if (parts.length >= CHUNK_SERIES) {
        yield Buffer.concat(parts, bytes);
        parts = [];
        bytes = 0;
      }
    }

    let requests = header(REQUESTS_METRIC, 'Resources one instance of a definition requests (all components and replicas): cpu in cores, memory in bytes.', 'gauge');
    for (const def of this.source.definitions()) {
      const amounts = definitionRequests(def);
      const base = [def.metadata.namespace ?? '', def.metadata.name, def.spec?.category ?? ''];
      for (const resource of REQUEST_RESOURCES) {
        requests += REQUESTS_METRIC + labelSet(REQUEST_LABELS, [...base, resource]) + ' ' + formatValue(amounts[resource]) + '\n';
      }
    }
    parts.push(Buffer.from(requests));
    bytes += parts[parts.length - 1].length;
    yield Buffer.concat(parts, bytes);
  }
}

/** Series per streamed piece: small enough to write between yields, large enough to keep per-piece costs low. */
const CHUNK_SERIES = 2000;
/** ' <code>\n' per state code, the end of a status line. */
const VALUE_SUFFIX: Record<number, string> = Object.fromEntries(STATE_NAMES.map((s) => [STATE_CODES[s], ` ${STATE_CODES[s]}\n`]));
const DELETED_SUFFIX = VALUE_SUFFIX[STATE_CODES.Deleted];
/** What goes before each status label's value: the label set opens with the first, the others follow a value. */
const LABEL_OPEN = {
  challengeId: `{${STATUS_LABELS.challengeId}="`,
  challengeName: `",${STATUS_LABELS.challengeName}="`,
  username: `",${STATUS_LABELS.username}="`,
  namespace: `",${STATUS_LABELS.namespace}="`,
} as const;

/** Requests of one instance; a container with limits but no requests is counted at its limits (as Kubernetes defaults it). */
export function definitionRequests(def: ChallengeDefinition): Record<RequestResource, number> {
  let cpu = 0;
  let memory = 0;
  for (const comp of def.spec?.components ?? []) {
    const replicas = comp.deployment?.spec?.replicas ?? 1;
    const spec = comp.deployment?.spec?.template?.spec;
    for (const c of spec?.containers ?? []) {
      const req = c.resources?.requests ?? {};
      const lim = c.resources?.limits ?? {};
      cpu += replicas * (parseQuantity(req.cpu ?? lim.cpu) ?? 0);
      memory += replicas * (parseQuantity(req.memory ?? lim.memory) ?? 0);
    }
  }
  return { cpu: Math.round(cpu * 1e6) / 1e6, memory: Math.round(memory) };
}
