/**
 * Keyspace notifications (Redis's notify.c): events published on
 * __keyspace@<db>__:<key> and __keyevent@<db>__:<event>, filtered by the classes in
 * `notify-keyspace-events`.
 */
import type { PubSub } from './pubsub.js';

/** What publishing an event needs of a server (Server is one; server.ts imports this module). */
export interface NotifyTarget {
  /** notify-keyspace-events as class bits (0: notifications off). */
  readonly notifyFlags: number;
  readonly pubsub: PubSub;
}

export const enum NotifyClass {
  KEYSPACE = 1 << 0, // K
  KEYEVENT = 1 << 1, // E
  GENERIC = 1 << 2, // g
  STRING = 1 << 3, // $
  LIST = 1 << 4, // l
  SET = 1 << 5, // s
  HASH = 1 << 6, // h
  ZSET = 1 << 7, // z
  EXPIRED = 1 << 8, // x
  EVICTED = 1 << 9, // e
  STREAM = 1 << 10, // t
  KEY_MISS = 1 << 11, // m
  MODULE = 1 << 12, // d
  NEW = 1 << 13, // n
}

/** "A": every data class but key-miss and new (as NOTIFY_ALL). */
const ALL =
  NotifyClass.GENERIC | NotifyClass.STRING | NotifyClass.LIST | NotifyClass.SET | NotifyClass.HASH | NotifyClass.ZSET |
  NotifyClass.EXPIRED | NotifyClass.EVICTED | NotifyClass.STREAM | NotifyClass.MODULE;

const CHAR_CLASS: Record<string, number> = {
  A: ALL, g: NotifyClass.GENERIC, $: NotifyClass.STRING, l: NotifyClass.LIST, s: NotifyClass.SET, h: NotifyClass.HASH,
  z: NotifyClass.ZSET, x: NotifyClass.EXPIRED, e: NotifyClass.EVICTED, K: NotifyClass.KEYSPACE, E: NotifyClass.KEYEVENT,
  t: NotifyClass.STREAM, m: NotifyClass.KEY_MISS, d: NotifyClass.MODULE, n: NotifyClass.NEW,
};

/** keyspaceEventsStringToFlags: the class bits, or -1 for an unknown character. */
export function parseNotifyClasses(s: string): number {
  let flags = 0;
  for (const ch of s) {
    const bit = CHAR_CLASS[ch];
    if (bit === undefined) return -1;
    flags |= bit;
  }
  return flags;
}

/** keyspaceEventsFlagsToString: how CONFIG GET shows the classes. */
export function formatNotifyClasses(flags: number): string {
  let out = '';
  if ((flags & ALL) === ALL) out += 'A';
  else {
    const order: [number, string][] = [
      [NotifyClass.GENERIC, 'g'], [NotifyClass.STRING, '$'], [NotifyClass.LIST, 'l'], [NotifyClass.SET, 's'],
      [NotifyClass.HASH, 'h'], [NotifyClass.ZSET, 'z'], [NotifyClass.EXPIRED, 'x'], [NotifyClass.EVICTED, 'e'],
      [NotifyClass.STREAM, 't'], [NotifyClass.MODULE, 'd'], [NotifyClass.NEW, 'n'],
    ];
    for (const [bit, ch] of order) if (flags & bit) out += ch;
  }
  if (flags & NotifyClass.KEYSPACE) out += 'K';
  if (flags & NotifyClass.KEYEVENT) out += 'E';
  if (flags & NotifyClass.KEY_MISS) out += 'm';
  return out;
}

/** For command handlers: notifyKeyspaceEvent on the client's current database. */
export function notify(server: NotifyTarget, dbId: number, type: NotifyClass, event: string, key: string): void {
  if (server.notifyFlags !== 0) notifyKeyspaceEvent(server, type, event, key, dbId);
}

/** notifyKeyspaceEvent: publishes `event` for `key` if its class is enabled. */
export function notifyKeyspaceEvent(server: NotifyTarget, type: NotifyClass, event: string, key: string, dbId: number): void {
  const flags = server.notifyFlags;
  if (!(flags & type)) return;
  const pubsub = server.pubsub;
  if (flags & NotifyClass.KEYSPACE) pubsub.publish(`__keyspace@${dbId}__:${key}`, event);
  if (flags & NotifyClass.KEYEVENT) pubsub.publish(`__keyevent@${dbId}__:${event}`, key);
}
