// Deterministic, DNS-safe child names. The readable part comes from challengeId, user and component; the hash
// of the Challenge name and component makes the name unique per (Challenge, component) whatever the user name
// looks like (long, upper-case, dots, unicode), so two instances never share a child.
const { createHash } = process.getBuiltinModule('node:crypto');

const MAX_NAME = 63; // Service names are DNS-1035 labels; Deployment names end up in pod labels.
// 16 hex digits = 64 bits: finding two Challenge names with one child name costs about 2^32 hashes per pair
// attempt (40 bits fell in seconds); a collision that happens anyway is an Error, never a shared child.
const HASH_LEN = 16;

export function dnsSafe(s: string): string {
  return s
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-+|-+$/g, '');
}

function shortHash(s: string): string {
  return createHash('sha256').update(s).digest('hex').slice(0, HASH_LEN);
}

export function childName(challengeName: string, challengeId: string, user: string, component: string): string {
  const hash = shortHash(`${challengeName}\n${component}`);
  const prefix = 'ch-';
  const room = MAX_NAME - prefix.length - 1 - HASH_LEN;
  const readable = dnsSafe(`${challengeId}-${user}-${component}`).slice(0, room).replace(/-+$/, '');
  return readable ? `${prefix}${readable}-${hash}` : `${prefix}${hash}`;
}
