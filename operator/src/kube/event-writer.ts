// An events.k8s.io/v1 Event as the operator writes it, where it is written (the apiserver, or memory in unit
// tests), and the apiserver's rules for its text fields. The recorder that decides what to write is events.ts.
import { microTime } from './leader-election.ts';
import type { RestClient } from './rest.ts';

const { randomBytes } = process.getBuiltinModule('node:crypto');

export type EventType = 'Normal' | 'Warning';

/** The object an Event is about: a Challenge, or anything with its metadata. */
export interface Regarding {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string; namespace?: string; uid?: string; resourceVersion?: string };
}

/** An Event's `regarding` as written. */
export interface EventRegarding {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
  uid?: string;
  resourceVersion?: string;
}

export interface EventOccurrence {
  type: EventType;
  /** CamelCase, why the action was taken (e.g. `QuotaExceeded`). */
  reason: string;
  /** CamelCase, what was done or failed (e.g. `Create`). */
  action: string;
  /** Human-readable; may carry user-controlled text, which is escaped and truncated here. */
  note: string;
}

/** An events.k8s.io/v1 Event as written. */
export interface EventBody {
  apiVersion: 'events.k8s.io/v1';
  kind: 'Event';
  metadata: { name: string; namespace: string };
  eventTime: string;
  series?: { count: number; lastObservedTime: string };
  reportingController: string;
  reportingInstance: string;
  action: string;
  reason: string;
  regarding: EventRegarding;
  note: string;
  type: EventType;
}

/** Where Events are written: the apiserver (restEventWriter) or, in unit tests, memory. */
export interface EventWriter {
  create(body: EventBody): Promise<void>;
  /** Merge patch of the series and note of an Event written before. */
  patchSeries(namespace: string, name: string, patch: { series: EventBody['series']; note: string }): Promise<void>;
}

const EVENTS_PATH = (ns: string) => `/apis/events.k8s.io/v1/namespaces/${encodeURIComponent(ns)}/events`;

export function restEventWriter(rest: RestClient): EventWriter {
  return {
    create: async (body) => {
      await rest.request('POST', EVENTS_PATH(body.metadata.namespace), { body });
    },
    patchSeries: async (namespace, name, patch) => {
      await rest.request('PATCH', `${EVENTS_PATH(namespace)}/${encodeURIComponent(name)}`, {
        body: patch,
        contentType: 'application/merge-patch+json',
      });
    },
  };
}

/** The apiserver's limits on events.k8s.io/v1 fields (bytes). */
const NOTE_MAX_BYTES = 1024;
export const FIELD_MAX = 128;
export const NAME_MAX = 253;

/** Reasons and actions are CamelCase identifiers of at most 128 characters; anything else is removed. */
export function camelCase(s: string): string {
  return String(s ?? '')
    .replace(/[^A-Za-z0-9]/g, '')
    .slice(0, FIELD_MAX);
}

/**
 * A note may quote what players and challenge authors wrote (names, images, pod messages): control characters,
 * line breaks and bidirectional overrides (which could make `kubectl describe` show something else) are escaped as
 * \uXXXX, and the result is cut to the apiserver's 1 KiB on a character boundary.
 */
export function sanitizeNote(s: string): string {
  const escaped = String(s ?? '').replace(
    /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`
  );
  return truncateUtf8(escaped, NOTE_MAX_BYTES);
}

/** Cuts to at most `max` UTF-8 bytes without splitting a character; a cut string ends with "...". */
export function truncateUtf8(s: string, max: number): string {
  if (Buffer.byteLength(s) <= max) {
    return s;
  }
  let out = '';
  let bytes = 0;
  for (const ch of s) {
    const n = Buffer.byteLength(ch);
    if (bytes + n > max - 3) {
      break;
    }
    out += ch;
    bytes += n;
  }
  return `${out}...`;
}

/**
 * A new Event for what `occurred` (first at `firstMs`), named after the object it is about plus a random suffix
 * (client-go's scheme, so names never collide), with `series` when it already happened more than once.
 */
export function newEventBody(
  occurred: { regarding: EventRegarding; occurrence: EventOccurrence; firstMs: number },
  series: EventBody['series'],
  controller: string,
  instance: string
): EventBody {
  const { regarding, occurrence } = occurred;
  const suffix = `.${randomBytes(8).toString('hex')}`;
  return {
    apiVersion: 'events.k8s.io/v1',
    kind: 'Event',
    metadata: {
      name: `${regarding.name.slice(0, NAME_MAX - suffix.length).replace(/[.-]+$/, '')}${suffix}`,
      namespace: regarding.namespace,
    },
    eventTime: microTime(occurred.firstMs),
    ...(series ? { series } : {}),
    reportingController: controller,
    reportingInstance: instance,
    action: occurrence.action,
    reason: occurrence.reason,
    regarding,
    note: occurrence.note,
    type: occurrence.type,
  };
}
