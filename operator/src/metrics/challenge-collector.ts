// challenge_resource_status and the additive challenge_info / challenge_definition_requests (names, labels and state
// codes from the metric contract, @hexactf/contract), rendered at scrape time from the informer caches plus
// tombstones of deleted Challenges, so a restarted operator renders the same series from a fresh list.
// Like kube-state-metrics, the text of every series is kept ready between scrapes: Challenges sit in blocks of
// BLOCK_SIZE, each block keeps its status and its info lines as rendered bytes (and, through Piece, their gzip
// segment), and a scrape re-renders only the blocks whose Challenges changed (a new object version in the cache,
// one gone, a definition changed). At 100,000 Challenges a scrape without changes then only checks each cached
// object against its entry and hands over some 400 ready pieces.
import {
  CATEGORY_LABEL,
  DEFINITION_LABEL,
  INFO_METRIC,
  REQUESTS_METRIC,
  REQUEST_LABELS,
  REQUEST_RESOURCES,
  STATE_CODES,
  STATE_NAMES,
  STATUS_HELP,
  STATUS_LABELS,
  STATUS_METRIC,
  isStateName,
  type RequestResource,
} from '@hexactf/contract';
import { LABEL_CHALLENGE_ID, LABEL_USER, type Challenge, type ChallengeDefinition } from '../api/types.ts';
import type { Clock } from '../clock.ts';
import { parseQuantity } from '../controller/quantity.ts';
import { escapeLabelValue, formatValue, header, labelSet } from './exposition.ts';
import { piece, type Piece } from './gzip-pieces.ts';
import type { SeriesIdentity, StoredTombstone } from './series-state.ts';

export interface ChallengeSource {
  challenges(): Iterable<Challenge>;
  get(key: string): Challenge | undefined;
  definition(namespace: string, name: string): ChallengeDefinition | undefined;
  definitions(): Iterable<ChallengeDefinition>;
}

/**
 * One cached Challenge object version and where its lines are in its block's bytes (offset -1: not there, to be
 * rendered). Offsets instead of a string or buffer per line: a changed block copies its unchanged lines from its
 * previous bytes, with no per-line objects kept between scrapes.
 */
interface Entry {
  ch: Challenge;
  def: ChallengeDefinition | undefined; // the definition object its info line names the category of
  seen: number; // the last render that found this object in the cache
  block?: Block;
  statusAt: number;
  statusLen: number;
  infoAt: number;
  infoLen: number;
}

/** Up to BLOCK_SIZE entries with their rendered lines of each family. */
interface Block {
  entries: Entry[];
  seen: number; // entries found by the current render
  status: Piece;
  info: Piece;
  statusStale: boolean;
  infoStale: boolean;
}

const EMPTY = piece('');

interface Tombstone {
  id: SeriesIdentity;
  labels: string; // rendered label set
  deletedAt: number;
}

/** The values of a Challenge's four status labels. */
export function seriesIdentity(ch: Challenge): SeriesIdentity {
  const l = ch.metadata.labels ?? {};
  return {
    namespace: ch.metadata.namespace ?? '',
    name: ch.metadata.name,
    challengeId: l[LABEL_CHALLENGE_ID] ?? '',
    user: l[LABEL_USER] ?? '',
  };
}

const keyOf = (id: SeriesIdentity) => (id.namespace ? `${id.namespace}/${id.name}` : id.name);

/** The gauge value; a state that is not ours (the original operator's None or Creating, say) counts as Pending. */
export function stateValue(ch: Challenge): number {
  if (ch.metadata.deletionTimestamp) {
    return STATE_CODES.Deleted;
  }
  const s: unknown = ch.status?.currentStatus?.state;
  return isStateName(s) ? STATE_CODES[s] : STATE_CODES.Pending;
}

export class ChallengeCollector {
  private readonly source: ChallengeSource;
  private readonly clock: Clock;
  private readonly retentionMs: number;
  private readonly tombstones = new Map<string, Tombstone>();
  // One entry per cached object version (informer updates replace objects, so identity is a safe key).
  private readonly entries = new WeakMap<Challenge, Entry>();
  private readonly blocks: Block[] = [];
  private epoch = 0;
  private readonly snapshot: Challenge[] = [];
  /** The definition objects of the last render: info lines are checked against them only when they change. */
  private lastDefs: ChallengeDefinition[] = [];
  private readonly statusHeader = piece(header(STATUS_METRIC, STATUS_HELP, 'gauge'));
  /** The pieces after the status blocks (tombstones, info header) and the requests family, with their text. */
  private tail = { text: '', piece: EMPTY };
  private requests = { text: '', piece: EMPTY };
  /** Renders take turns: each one updates the blocks. */
  private queue: Promise<unknown> = Promise.resolve();
  private rendering = false;

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
    if (!this.tombstones.has(keyOf(t))) {
      this.addTombstone(t, t.deletedAt);
    }
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
    if (this.tombstones.size % 1024 === 0) {
      this.prune(this.clock.now());
    }
  }

  tombstoneCount(): number {
    return this.tombstones.size;
  }

  private prune(now: number): void {
    for (const [k, t] of this.tombstones) {
      if (now - t.deletedAt >= this.retentionMs) {
        this.tombstones.delete(k);
      }
    }
  }

  private renderLabels(id: SeriesIdentity): string {
    // A fixed template is several times faster than a generic loop.
    return (
      LABEL_OPEN.challengeId +
      escapeLabelValue(id.challengeId) +
      LABEL_OPEN.challengeName +
      escapeLabelValue(id.name) +
      LABEL_OPEN.username +
      escapeLabelValue(id.user) +
      LABEL_OPEN.namespace +
      escapeLabelValue(id.namespace) +
      '"}'
    );
  }

  private definitionOf(ch: Challenge): ChallengeDefinition | undefined {
    return this.source.definition(ch.metadata.namespace ?? '', ch.spec?.definition ?? '');
  }

  private statusLine({ ch }: Entry): string {
    return STATUS_METRIC + this.renderLabels(seriesIdentity(ch)) + VALUE_SUFFIX[stateValue(ch)];
  }

  private infoLine({ ch, def }: Entry): string {
    if (ch.metadata.deletionTimestamp) {
      return '';
    }
    return (
      INFO_METRIC +
      this.renderLabels(seriesIdentity(ch)).slice(0, -1) +
      `,${DEFINITION_LABEL}="${escapeLabelValue(ch.spec?.definition ?? '')}",${CATEGORY_LABEL}="${escapeLabelValue(def?.spec?.category ?? '')}"} 1\n`
    );
  }

  /**
   * New bytes for one family of a block: the lines of entries that were in its previous bytes are copied from
   * there in runs (they stay in order, so a few changes leave a few long runs), the others are rendered.
   */
  private rebuild(b: Block, info: boolean): Piece {
    const old = (info ? b.info : b.status).plain;
    const parts: Buffer[] = [];
    let runStart = -1;
    let runEnd = -1;
    let text = '';
    let offset = 0;
    for (const e of b.entries) {
      const at = info ? e.infoAt : e.statusAt;
      let len = info ? e.infoLen : e.statusLen;
      if (at >= 0) {
        if (text) {
          parts.push(Buffer.from(text));
        }
        text = '';
        if (runEnd !== at) {
          if (runStart >= 0) {
            parts.push(old.subarray(runStart, runEnd));
          }
          runStart = at;
        }
        runEnd = at + len;
      } else {
        if (runStart >= 0) {
          parts.push(old.subarray(runStart, runEnd));
        }
        runStart = runEnd = -1;
        const line = info ? this.infoLine(e) : this.statusLine(e);
        text += line;
        len = Buffer.byteLength(line);
      }
      if (info) {
        e.infoAt = offset;
        e.infoLen = len;
      } else {
        e.statusAt = offset;
        e.statusLen = len;
      }
      offset += len;
    }
    if (runStart >= 0) {
      parts.push(old.subarray(runStart, runEnd));
    }
    if (text) {
      parts.push(Buffer.from(text));
    }
    return piece(Buffer.concat(parts, offset));
  }

  /** The whole text at once (tests, small caches). */
  render(): string {
    if (this.rendering) {
      throw new Error('render() while an asynchronous render is under way');
    }
    const steps = this.build();
    let r;
    while (!(r = steps.next()).done) {}
    return r.value.map((p) => p.plain.toString()).join('');
  }

  /**
   * Hands over the text in pieces, from one snapshot of the cache, yielding to the event loop whenever a slice of
   * the work took sliceMs: at 100,000 Challenges the work of a scrape in one piece held reconciles and lease
   * renewals for tens of milliseconds.
   */
  renderPieces(push: (p: Piece) => void, sliceMs = 3): Promise<void> {
    const run = this.queue.then(async () => {
      this.rendering = true;
      try {
        const steps = this.build();
        let sliceStart = performance.now();
        let r;
        while (!(r = steps.next()).done) {
          if (performance.now() - sliceStart >= sliceMs) {
            await new Promise<void>((resolve) => setImmediate(resolve));
            sliceStart = performance.now();
          }
        }
        for (const p of r.value) {
          if (p.plain.length > 0) {
            push(p);
          }
        }
      } finally {
        this.rendering = false;
      }
    });
    this.queue = run.catch(() => {});
    return run;
  }

  /** The text as byte chunks (see renderPieces). */
  renderTo(write: (chunk: Buffer) => void, sliceMs = 3): Promise<void> {
    return this.renderPieces((p) => write(p.plain), sliceMs);
  }

  /**
   * Brings the blocks up to date with the cache and returns the pieces of the text; yields (a point where the
   * caller may let the event loop run) every bit of work. Everything is read from the views taken before the first
   * yield: the cache changes meanwhile, and a Challenge deleted meanwhile must not show up both live and as a
   * tombstone.
   */
  private *build(): Generator<void, Piece[]> {
    this.prune(this.clock.now());
    const epoch = ++this.epoch;
    // The snapshot array is kept between renders (100,000 references are a large object each scrape would allocate);
    // its slots are cleared after each render so that it keeps no replaced object alive.
    const live = this.snapshot;
    let count = 0;
    for (const ch of this.source.challenges()) {
      live[count++] = ch;
    }
    if (live.length > count) {
      live.length = count;
    }
    const defs = Array.from(this.source.definitions());
    let tombs = '';
    for (const [key, t] of this.tombstones) {
      if (!this.source.get(key)) {
        tombs += STATUS_METRIC + t.labels + DELETED_SUFFIX;
      }
    }
    // An info line names its definition's category: when the definitions changed (updated, deleted, added), each
    // line is checked against the definition object it was built from.
    const liveDefs =
      defs.length === this.lastDefs.length && defs.every((d, i) => d === this.lastDefs[i]) ? undefined : new Set(defs);
    this.lastDefs = defs;
    yield;

    // Which cached objects are known, which are new (counts start from zero even after a render that failed).
    for (const b of this.blocks) {
      b.seen = 0;
    }
    const fresh: Entry[] = [];
    for (let i = 0; i < live.length; i++) {
      const ch = live[i];
      const e = this.entries.get(ch);
      if (e === undefined) {
        const added: Entry = {
          ch,
          def: this.definitionOf(ch),
          seen: epoch,
          statusAt: -1,
          statusLen: 0,
          infoAt: -1,
          infoLen: 0,
        };
        this.entries.set(ch, added);
        fresh.push(added);
      } else if (e.seen !== epoch) {
        e.seen = epoch;
        const b = e.block;
        if (b === undefined) {
          // Found by a render that did not finish.
          e.def = this.definitionOf(ch);
          fresh.push(e);
          continue;
        }
        b.seen++;
        if (liveDefs && (e.def === undefined || !liveDefs.has(e.def))) {
          const def = this.definitionOf(ch);
          if (def !== e.def) {
            e.def = def;
            e.infoAt = -1;
            b.infoStale = true;
          }
        }
      }
      if ((i & 1023) === 1023) {
        yield;
      }
    }

    // Entries no longer in the cache (deleted, or replaced by a newer version) leave their blocks.
    for (let i = 0; i < this.blocks.length; i++) {
      const b = this.blocks[i];
      if (b.seen !== b.entries.length) {
        b.entries = b.entries.filter((e) => {
          if (e.seen === epoch) {
            return true;
          }
          this.entries.delete(e.ch);
          return false;
        });
        b.statusStale = b.infoStale = true;
      }
      b.seen = 0;
      if ((i & 63) === 63) {
        yield;
      }
    }

    // New entries fill the gaps first, then new blocks.
    let bi = 0;
    for (const e of fresh) {
      while (bi < this.blocks.length && this.blocks[bi].entries.length >= BLOCK_SIZE) {
        bi++;
      }
      if (bi === this.blocks.length) {
        this.blocks.push({ entries: [], seen: 0, status: EMPTY, info: EMPTY, statusStale: false, infoStale: false });
      }
      const b = this.blocks[bi];
      b.entries.push(e);
      e.block = b;
      e.statusAt = e.infoAt = -1;
      b.statusStale = b.infoStale = true;
    }
    yield;

    const out: Piece[] = [this.statusHeader];
    for (const b of this.blocks) {
      if (b.statusStale) {
        b.status = this.rebuild(b, false);
        b.statusStale = false;
        yield;
      }
      out.push(b.status);
    }
    const tail =
      tombs + header(INFO_METRIC, 'One series per live Challenge with its definition and category.', 'gauge');
    if (tail !== this.tail.text) {
      this.tail = { text: tail, piece: piece(tail) };
    }
    out.push(this.tail.piece);
    for (const b of this.blocks) {
      if (b.infoStale) {
        b.info = this.rebuild(b, true);
        b.infoStale = false;
        yield;
      }
      out.push(b.info);
    }

    let requests = header(
      REQUESTS_METRIC,
      'Resources one instance of a definition requests (all components and replicas): cpu in cores, memory in bytes.',
      'gauge'
    );
    for (const def of defs) {
      const amounts = definitionRequests(def);
      const base = [def.metadata.namespace ?? '', def.metadata.name, def.spec?.category ?? ''];
      for (const resource of REQUEST_RESOURCES) {
        requests +=
          REQUESTS_METRIC + labelSet(REQUEST_LABELS, [...base, resource]) + ' ' + formatValue(amounts[resource]) + '\n';
      }
    }
    if (requests !== this.requests.text) {
      this.requests = { text: requests, piece: piece(requests) };
    }
    out.push(this.requests.piece);
    (live as unknown[]).fill(undefined);
    return out;
  }
}

/**
 * Challenges per block: a block re-renders as a whole when one of its Challenges changes (mostly copying, about
 * 140 KB of status text at this size), and a scrape hands over two pieces per block, each compressed on its own.
 * Smaller blocks re-render less under scattered changes but cost more per piece (a thread-pool call each for gzip).
 */
const BLOCK_SIZE = 1024;
/** ' <code>\n' per state code, the end of a status line. */
const VALUE_SUFFIX: Record<number, string> = Object.fromEntries(
  STATE_NAMES.map((s) => [STATE_CODES[s], ` ${STATE_CODES[s]}\n`])
);
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
