// What the Challenge series need to survive a restart of the operator, kept in one ConfigMap the operator owns in
// its own namespace:
// - recent tombstones (Challenges finalized less than --deleted-series-retention ago), so a restart or a leader
//   change within the retention still exports them as Deleted, for what is left of it;
// - the identities of the Challenges the leader last saw, so one that vanished while no operator ran (a finalizer
//   removed by hand, a forced deletion) is exported as Deleted once after it comes back, instead of silently gone.
// Why a ConfigMap: it lives as long as the installation, the chart grants it by name, `kubectl get` shows it, and it
// needs no CRD. It is written in batches (at most every flush interval, and only when something changed), gzip'd
// JSON in binaryData, bounded below the apiserver's object size limit: when the live set does not fit, only the
// tombstones are kept (newest first) and the detection of deletions during downtime is off until it fits again.
import { gunzipSync, gzip } from 'node:zlib';
import { LABEL_MANAGED_BY, MANAGED_BY } from '../api/types.ts';
import { isNotFound } from '../kube/errors.ts';
import type { RestClient } from '../kube/rest.ts';

const { promisify } = process.getBuiltinModule('node:util');

/** One Challenge's series identity: the values of its four status labels. */
export interface SeriesIdentity {
  namespace: string;
  name: string;
  challengeId: string;
  user: string;
}

export interface StoredTombstone extends SeriesIdentity {
  deletedAt: number;
}

interface SeriesSnapshot {
  savedAt: number;
  tombstones: StoredTombstone[];
  /** undefined: unknown (not stored, or did not fit). */
  live?: SeriesIdentity[];
}

export const DATA_KEY = 'series-state.json.gz';
const FORMAT = 1;
/** ConfigMaps are limited to 1 MiB; leave room for metadata. */
const MAX_BYTES = 900 * 1024;
/** Longer than any Kubernetes name or label value: anything longer did not come from us. */
const MAX_FIELD = 1024;

type Row = [string, string, string, string];

const identityRow = (s: SeriesIdentity): Row => [s.namespace, s.name, s.challengeId, s.user];

const gzipAsync = promisify(gzip);

/**
 * The stored bytes: everything when it fits, else the tombstones without the live set, newest first, as many as fit.
 * Compressed off the event loop (about 10 bytes per live Challenge: some 90,000 fit).
 */
export async function encodeSnapshot(
  snap: SeriesSnapshot,
  maxBytes = MAX_BYTES
): Promise<{ bytes: Buffer; liveKept: boolean; tombstonesKept: number }> {
  const tombs = [...snap.tombstones].sort((a, b) => b.deletedAt - a.deletedAt);
  const encode = (live: boolean, nTombs: number) =>
    gzipAsync(
      JSON.stringify({
        v: FORMAT,
        savedAt: snap.savedAt,
        tombstones: tombs.slice(0, nTombs).map((t) => [...identityRow(t), t.deletedAt]),
        live: live && snap.live ? snap.live.map(identityRow) : null,
      }),
      { level: 1 }
    );
  let bytes = await encode(true, tombs.length);
  if (bytes.length <= maxBytes) {
    return { bytes, liveKept: snap.live !== undefined, tombstonesKept: tombs.length };
  }
  let n = tombs.length;
  bytes = await encode(false, n);
  while (bytes.length > maxBytes && n > 0) {
    n = Math.floor(n / 2);
    bytes = await encode(false, n);
  }
  return { bytes, liveKept: false, tombstonesKept: n };
}

const isField = (v: unknown): v is string => typeof v === 'string' && v.length <= MAX_FIELD;
const isRow = (r: unknown): r is Row =>
  Array.isArray(r) && r.length >= 4 && r.slice(0, 4).every(isField) && r[0] !== '' && r[1] !== '';
const identityOf = (r: Row): SeriesIdentity => ({ namespace: r[0], name: r[1], challengeId: r[2], user: r[3] });

/**
 * Reads a stored snapshot. The ConfigMap is writable by whoever administers the namespace, not by players, but it
 * is still checked: anything malformed is refused with a reason (the operator then starts without it), and single
 * rows that are not well-formed are skipped and counted.
 */
export function decodeSnapshot(bytes: Buffer): { snapshot: SeriesSnapshot; skipped: number } {
  let doc: any;
  try {
    doc = JSON.parse(gunzipSync(bytes, { maxOutputLength: 64 * MAX_BYTES }).toString('utf8'));
  } catch (err) {
    throw new Error(`not gzip'd JSON: ${(err as Error).message}`);
  }
  if (doc?.v !== FORMAT) {
    throw new Error(`unknown format ${JSON.stringify(doc?.v)} (expected ${FORMAT})`);
  }
  if (!Array.isArray(doc.tombstones)) {
    throw new Error('tombstones is not a list');
  }
  if (doc.live !== null && !Array.isArray(doc.live)) {
    throw new Error('live is neither a list nor null');
  }
  let skipped = 0;
  const tombstones: StoredTombstone[] = [];
  for (const r of doc.tombstones) {
    const deletedAt = Array.isArray(r) ? r[4] : undefined;
    if (isRow(r) && typeof deletedAt === 'number' && Number.isFinite(deletedAt)) {
      tombstones.push({ ...identityOf(r), deletedAt });
    } else {
      skipped++;
    }
  }
  let live: SeriesIdentity[] | undefined;
  if (doc.live) {
    live = [];
    for (const r of doc.live) {
      if (isRow(r)) {
        live.push(identityOf(r));
      } else {
        skipped++;
      }
    }
  }
  return { snapshot: { savedAt: Number(doc.savedAt) || 0, tombstones, live }, skipped };
}

/** Where a snapshot is kept. */
export interface SeriesStateStore {
  read(): Promise<Buffer | undefined>;
  write(bytes: Buffer): Promise<void>;
  readonly where: string;
}

export function configMapStore(rest: RestClient, namespace: string, name: string): SeriesStateStore {
  const base = `/api/v1/namespaces/${encodeURIComponent(namespace)}/configmaps`;
  const path = `${base}/${encodeURIComponent(name)}`;
  const body = (bytes: Buffer) => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace, labels: { [LABEL_MANAGED_BY]: MANAGED_BY } },
    binaryData: { [DATA_KEY]: bytes.toString('base64') },
  });
  return {
    where: `configmap ${namespace}/${name}`,
    async read() {
      try {
        const cm = await rest.get<{ binaryData?: Record<string, string> }>(path);
        const data = cm.binaryData?.[DATA_KEY];
        return data === undefined ? undefined : Buffer.from(data, 'base64');
      } catch (err) {
        if (isNotFound(err)) {
          return undefined;
        }
        throw err;
      }
    },
    async write(bytes) {
      try {
        await rest.request('PUT', path, { body: body(bytes) });
      } catch (err) {
        if (!isNotFound(err)) {
          throw err;
        }
        await rest.request('POST', base, { body: body(bytes) });
      }
    },
  };
}
