// The original operator's situations in the path test (cluster.ts), played on its stand-in (original-operator.ts)
// while the real operator's CTF runs: an Error then its own deletion, and a restart that loses all.
import { STATE_CODES } from '@hexactf/contract';
import { type Prometheus } from '@hexactf/testing/prometheus';
import { waitFor } from '@hexactf/testing/wait';
import type { OriginalCheckpoint } from './checkpoints.ts';
import { NS } from './ctf.ts';
import { OriginalOperator, type OriginalInstance } from './original-operator.ts';
import { lastScrapeMs } from './scraping.ts';

/** The original operator's situations, on its stand-in: Error then its own deletion, and a restart that loses all. */
export async function playOriginal(
  original: OriginalOperator,
  proms: Prometheus[],
  checkpoints: OriginalCheckpoint[]
): Promise<void> {
  const inst = (user: string, challengeId: string): OriginalInstance => ({
    namespace: NS,
    challengeId,
    user,
    name: `ch-${challengeId}-${user}`,
  });
  const p1 = inst('p1', '7');
  const p2 = inst('p2', '7');
  const p3 = inst('p3', '8');
  const p4 = inst('p4', '7');
  const scrapedNow = async () => {
    const after = Date.now();
    for (const prom of proms) {
      await waitFor(
        `a scrape of the original's stand-in by ${prom.url}`,
        async () => (await lastScrapeMs(prom)) > after + 10,
        15_000
      );
    }
  };
  const checkpoint = async (step: string, shown: Array<[OriginalInstance, number]>, lost: OriginalInstance[] = []) => {
    await scrapedNow();
    checkpoints.push({ step, at: Date.now() / 1000, shown: shown.map(([i, value]) => ({ ...i, value })), lost });
  };
  original.set(p1, STATE_CODES.Running);
  original.set(p2, STATE_CODES.Running);
  original.set(p3, STATE_CODES.Pending);
  await checkpoint('original: p1, p2 Running, p3 Pending', [
    [p1, 1],
    [p2, 1],
    [p3, 0],
  ]);
  original.set(p2, STATE_CODES.Error);
  await checkpoint('original: p2 in Error', [
    [p1, 1],
    [p2, 3],
    [p3, 0],
  ]);
  original.set(p2, STATE_CODES.Deleted); // it deletes the Errored instance itself
  await checkpoint('original: p2 deleted by the operator itself', [
    [p1, 1],
    [p2, 2],
    [p3, 0],
  ]);
  original.remove(p2);
  await checkpoint('original: p2 gone (Deleted stays for the window)', [
    [p1, 1],
    [p2, 2],
    [p3, 0],
  ]);
  // A restart: down for a few scrapes, back on the same target without any of its instances.
  await original.stop();
  await new Promise((ok) => setTimeout(ok, 3000));
  await original.start();
  original.set(p4, STATE_CODES.Running); // created after the restart: the original exports that one
  await checkpoint(
    'original: restarted, p1 and p3 lost (still running), p4 new',
    [
      [p2, 2],
      [p4, 1],
    ],
    [p1, p3]
  );
}
