/**
 * The event the catalog screenshots show: about 60 players and 20 challenges over 6 hours, the demo workload's
 * shape (a few instances per player at a time, some failing, every state present), with challenge names,
 * categories and requests a CTF would have, one operator restart, a few deletions that never finished, and the
 * operator's lifecycle and controller metrics. Deterministic (@hexactf/testing/random through the generator).
 */
import { DEFAULT_DELETED_SERIES_RETENTION_SECONDS } from '@hexactf/contract';
import { seededRandom } from '@hexactf/testing/random';
import type { Catalog, HistoryOptions } from '../../scale/openmetrics.ts';

export const END_S = Date.UTC(2026, 0, 10, 12, 0, 0) / 1000;
export const SPAN_S = 6 * 3600;

const Mi = 2 ** 20;
// definition, category, cpu (cores), memory (MiB)
const CHALLENGES: Array<[string, string, number, number]> = [
  ['web-login-bypass', 'web', 0.25, 256],
  ['web-template-injection', 'web', 0.25, 256],
  ['web-upload-polyglot', 'web', 0.5, 512],
  ['web-graphql-leak', 'web', 0.25, 384],
  ['pwn-echo-server', 'pwn', 0.5, 128],
  ['pwn-heap-notes', 'pwn', 0.5, 256],
  ['pwn-kernel-ioctl', 'pwn', 1, 1024],
  ['crypto-padding-oracle', 'crypto', 0.25, 128],
  ['crypto-rsa-broadcast', 'crypto', 0.1, 64],
  ['crypto-lattice-sig', 'crypto', 0.5, 256],
  ['rev-vm-crackme', 'rev', 0.1, 64],
  ['rev-android-license', 'rev', 0.25, 512],
  ['rev-wasm-maze', 'rev', 0.1, 128],
  ['forensics-pcap-exfil', 'forensics', 0.1, 256],
  ['forensics-memdump', 'forensics', 0.5, 1024],
  ['misc-jail-escape', 'misc', 0.25, 128],
  ['misc-redis-sandbox', 'misc', 0.25, 256],
  ['misc-k8s-breakout', 'misc', 1, 768],
  ['web-ssrf-metadata', 'web', 0.25, 256],
  ['pwn-rop-warmup', 'pwn', 0.25, 128],
];

const FIRST = ['null', 'byte', 'root', 'shell', 'stack', 'heap', 'zero', 'hex', 'bit', 'cyber', 'packet', 'kernel'];
const SECOND = ['fox', 'wizard', 'runner', 'smith', 'ninja', 'hawk', 'panda', 'ghost', 'otter', 'crab', 'owl', 'lynx'];

function players(count: number): string[] {
  const rnd = seededRandom(42);
  const names = new Set<string>();
  while (names.size < count) {
    const a = FIRST[Math.floor(rnd() * FIRST.length)];
    const b = SECOND[Math.floor(rnd() * SECOND.length)];
    names.add(rnd() < 0.3 ? `${a}_${b}${Math.floor(rnd() * 99)}` : `${a}${b}`);
  }
  return [...names];
}

const PLAYERS = players(60);

export const EVENT_CATALOG: Catalog = {
  user: (u) => PLAYERS[u],
  challenge: (c) => `chal-${String(c + 1).padStart(2, '0')}`,
  definition: (c) => CHALLENGES[c][0],
  category: (c) => CHALLENGES[c][1],
  requests: (c) => ({ cpu: CHALLENGES[c][2], memory: CHALLENGES[c][3] * Mi }),
};

export const EVENT: Omit<HistoryOptions, 'extraFamilies'> = {
  instances: 1100,
  users: PLAYERS.length,
  challenges: CHALLENGES.length,
  spanS: SPAN_S,
  endS: END_S,
  scrapeIntervalS: 30,
  meanLifetimeS: 35 * 60,
  errorRatio: 0.05,
  stuckRatio: 0.01,
  retentionS: DEFAULT_DELETED_SERIES_RETENTION_SECONDS,
  namespace: 'hexactf',
  seed: 2026,
  restartEveryS: 4 * 3600,
  catalog: EVENT_CATALOG,
};
