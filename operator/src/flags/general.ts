// Flags of Events, logging and help. Part of FLAG_SPECS (flags.ts), which keeps their order.
import type { FlagSpec } from './spec.ts';

export const GENERAL_FLAGS = [
  {
    name: 'emit-events',
    key: 'emitEvents',
    kind: 'bool',
    def: () => 'true',
    help: 'Record Kubernetes Events (events.k8s.io/v1) about Challenges: children created, errors and their reasons, quota waits, TTL expiry, blocked cleanups. Repeats are aggregated and each Challenge is rate limited; false records none.',
  },
  {
    name: 'log-level',
    key: 'logLevel',
    kind: 'string',
    choices: ['debug', 'info', 'warn', 'error'],
    def: () => 'info',
    help: 'debug, info, warn or error (JSON lines on stderr).',
  },
  { name: 'help', key: 'help', kind: 'bool', def: () => 'false', help: 'Print this help and exit.' },
] as const satisfies readonly FlagSpec[];
