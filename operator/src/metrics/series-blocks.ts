// The block store behind the Challenge series: Challenges sit in blocks of BLOCK_SIZE, each block keeps its status
// and info lines as rendered bytes (and, through Piece, their gzip segment), and a changed block copies the lines
// of unchanged Challenges from its previous bytes instead of rendering them again. challenge-collector.ts decides
// which blocks changed.
import type { Challenge, ChallengeDefinition } from '../api/types.ts';
import { infoLine, statusLine } from './challenge-families.ts';
import { piece, type Piece } from './gzip-pieces.ts';

/**
 * Challenges per block: a block re-renders as a whole when one of its Challenges changes (mostly copying, about
 * 140 KB of status text at this size), and a scrape hands over two pieces per block, each compressed on its own.
 * Smaller blocks re-render less under scattered changes but cost more per piece (a thread-pool call each for gzip).
 */
export const BLOCK_SIZE = 1024;

/**
 * One cached Challenge object version and where its lines are in its block's bytes (offset -1: not there, to be
 * rendered). Offsets instead of a string or buffer per line: a changed block copies its unchanged lines from its
 * previous bytes, with no per-line objects kept between scrapes.
 */
export interface Entry {
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
export interface Block {
  entries: Entry[];
  seen: number; // entries found by the current render
  status: Piece;
  info: Piece;
  statusStale: boolean;
  infoStale: boolean;
}

export const EMPTY = piece('');

/**
 * New bytes for one family of a block: the lines of entries that were in its previous bytes are copied from
 * there in runs (they stay in order, so a few changes leave a few long runs), the others are rendered.
 */
export function rebuildBlock(b: Block, info: boolean): Piece {
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
      const line = info ? infoLine(e.ch, e.def) : statusLine(e.ch);
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
