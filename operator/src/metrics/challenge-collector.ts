// The Challenge series (challenge-families.ts says which series an object produces) rendered at scrape time from
// the informer caches plus tombstones of deleted Challenges (tombstones.ts), so a restarted operator renders the
// same series from a fresh list. Like kube-state-metrics, the text of every series is kept ready between scrapes
// in blocks (series-blocks.ts), and a scrape re-renders only the blocks whose Challenges changed (a new object
// version in the cache, one gone, a definition changed). At 100,000 Challenges a scrape without changes then only checks each cached
// object against its entry and hands over some 400 ready pieces.
import type { Challenge, ChallengeDefinition } from '../api/types.ts';
import type { Clock } from '../clock.ts';
import { Tombstones } from './tombstones.ts';
import { INFO_HEADER, STATUS_HEADER, requestsFamily, seriesIdentity } from './challenge-families.ts';
import { piece, type Piece } from './gzip-pieces.ts';
import { BLOCK_SIZE, EMPTY, rebuildBlock, type Block, type Entry } from './series-blocks.ts';
import type { SeriesIdentity, StoredTombstone } from './series-state.ts';

interface ChallengeSource {
  challenges(): Iterable<Challenge>;
  get(key: string): Challenge | undefined;
  definition(namespace: string, name: string): ChallengeDefinition | undefined;
  definitions(): Iterable<ChallengeDefinition>;
}

export class ChallengeCollector {
  private readonly source: ChallengeSource;
  private readonly clock: Clock;
  private readonly tombstones: Tombstones;
  // One entry per cached object version (informer updates replace objects, so identity is a safe key).
  private readonly entries = new WeakMap<Challenge, Entry>();
  private readonly blocks: Block[] = [];
  private epoch = 0;
  private readonly snapshot: Challenge[] = [];
  /** The definition objects of the last render: info lines are checked against them only when they change. */
  private lastDefs: ChallengeDefinition[] = [];
  private readonly statusHeader = piece(STATUS_HEADER);
  /** The pieces after the status blocks (tombstones, info header) and the requests family, with their text. */
  private tail = { text: '', piece: EMPTY };
  private requests = { text: '', piece: EMPTY };
  /** Renders take turns: each one updates the blocks. */
  private queue: Promise<unknown> = Promise.resolve();
  private rendering = false;

  constructor(source: ChallengeSource, clock: Clock, retentionMs: number) {
    this.source = source;
    this.clock = clock;
    this.tombstones = new Tombstones(clock, retentionMs);
  }

  /** Called when a Challenge leaves the cache: it stays exported as Deleted for the retention window. */
  onDeleted(ch: Challenge): void {
    this.tombstones.add(seriesIdentity(ch), this.clock.now());
  }

  /** A tombstone from before a restart (see Tombstones.restore). */
  restoreTombstone(t: StoredTombstone): void {
    this.tombstones.restore(t);
  }

  /** The tombstones still within the retention (what a restart must keep). */
  tombstoneList(): StoredTombstone[] {
    return this.tombstones.list();
  }

  tombstoneCount(): number {
    return this.tombstones.count();
  }

  /** The identities of every cached Challenge (what a restart compares the fresh list with). */
  liveIdentities(): SeriesIdentity[] {
    return Array.from(this.source.challenges(), seriesIdentity);
  }

  private definitionOf(ch: Challenge): ChallengeDefinition | undefined {
    return this.source.definition(ch.metadata.namespace ?? '', ch.spec?.definition ?? '');
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
    this.tombstones.prune(this.clock.now());
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
    const tombs = this.tombstones.lines((key) => this.source.get(key) !== undefined);
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
        b.status = rebuildBlock(b, false);
        b.statusStale = false;
        yield;
      }
      out.push(b.status);
    }
    const tail = tombs + INFO_HEADER;
    if (tail !== this.tail.text) {
      this.tail = { text: tail, piece: piece(tail) };
    }
    out.push(this.tail.piece);
    for (const b of this.blocks) {
      if (b.infoStale) {
        b.info = rebuildBlock(b, true);
        b.infoStale = false;
        yield;
      }
      out.push(b.info);
    }

    const requests = requestsFamily(defs);
    if (requests !== this.requests.text) {
      this.requests = { text: requests, piece: piece(requests) };
    }
    out.push(this.requests.piece);
    (live as unknown[]).fill(undefined);
    return out;
  }
}
