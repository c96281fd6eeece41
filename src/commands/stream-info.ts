/**
 * XINFO STREAM / GROUPS / CONSUMERS / HELP (Redis 7.0 t_stream.c xinfoCommand).
 */
import { MAX_ID, RedisStream, formatId, sortedById, type Consumer, type ConsumerGroup } from '../keyspace/types/stream.js';
import { ErrorReply, Errors, MapReply, type Reply } from '../protocol/reply.js';
import { parseInt64 } from './args.js';
import type { Handler } from './registry.js';
import { helpLines } from './replies.js';
import { entryReply, rangeEntries, readStream } from './stream-common.js';

export const xinfoStream: Handler = (client, args) => {
  const s = readStream(client.db, args[2]);
  if (s instanceof ErrorReply) return s;
  if (!s) return Errors.noSuchKey;
  let full = false;
  let count = 10;
  if (args.length > 3) {
    if (args[3].toLowerCase() !== 'full') return Errors.syntax;
    full = true;
    if (args.length > 4) {
      if (args.length !== 6 || args[4].toLowerCase() !== 'count') return Errors.syntax;
      const v = parseInt64(args[5]);
      if (v === null) return Errors.notInteger;
      count = v < 0 ? 0 : Number(v);
    }
  }
  const head = streamHead(s);
  if (!full) {
    head.push('groups', s.groups.size);
    head.push('first-entry', s.length ? entryReply(s.entries[0]) : null);
    head.push('last-entry', s.length ? entryReply(s.entries[s.length - 1]) : null);
    return new MapReply(head);
  }
  head.push('entries', rangeEntries(s, 0n, MAX_ID, count, false).map(entryReply));
  head.push('groups', [...s.groups.values()].sort(byName).map((g) => groupFull(s, g, count)));
  return new MapReply(head);
};

const byName = (a: { name: string }, b: { name: string }): number => (a.name < b.name ? -1 : 1);

/** The fields XINFO STREAM starts with, in both forms. */
function streamHead(s: RedisStream): Reply[] {
  return [
    'length',
    s.length,
    'radix-tree-keys',
    s.nodeCount,
    'radix-tree-nodes',
    s.radixTreeNodes,
    'last-generated-id',
    formatId(s.lastId),
    'max-deleted-entry-id',
    formatId(s.maxDeletedId),
    'entries-added',
    s.entriesAdded,
    'recorded-first-entry-id',
    formatId(s.firstId),
  ];
}

/** XINFO STREAM FULL: one group, its PEL and its consumers (up to `count` entries each; 0 = all). */
function groupFull(s: RedisStream, g: ConsumerGroup, count: number): Reply {
  const pel = sortedById(g.pending);
  const consumers = [...g.consumers.values()].sort(byName).map((c) => consumerFull(c, count));
  return new MapReply([
    'name',
    g.name,
    'last-delivered-id',
    formatId(g.lastId),
    'entries-read',
    g.entriesRead === -1 ? null : g.entriesRead,
    'lag',
    s.lag(g),
    'pel-count',
    pel.length,
    'pending',
    (count ? pel.slice(0, count) : pel).map((pe) => [formatId(pe.id), pe.consumer.name, pe.deliveryTime, pe.deliveryCount]),
    'consumers',
    consumers,
  ]);
}

/** XINFO STREAM FULL: one consumer and its own PEL. */
function consumerFull(c: Consumer, count: number): Reply {
  const cpel = sortedById(c.pending);
  return new MapReply([
    'name',
    c.name,
    'seen-time',
    c.seenTime,
    'pel-count',
    cpel.length,
    'pending',
    (count ? cpel.slice(0, count) : cpel).map((pe) => [formatId(pe.id), pe.deliveryTime, pe.deliveryCount]),
  ]);
}

export const xinfoGroups: Handler = (client, args) => {
  const s = readStream(client.db, args[2]);
  if (s instanceof ErrorReply) return s;
  if (!s) return Errors.noSuchKey;
  return [...s.groups.values()]
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .map(
      (g) =>
        new MapReply([
          'name',
          g.name,
          'consumers',
          g.consumers.size,
          'pending',
          g.pending.size,
          'last-delivered-id',
          formatId(g.lastId),
          'entries-read',
          g.entriesRead === -1 ? null : g.entriesRead,
          'lag',
          s.lag(g),
        ]),
    );
};

export const xinfoConsumers: Handler = (client, args) => {
  const s = readStream(client.db, args[2]);
  if (s instanceof ErrorReply) return s;
  if (!s) return Errors.noSuchKey;
  const g = s.groups.get(args[3]);
  if (!g) return new ErrorReply(`NOGROUP No such consumer group '${args[3]}' for key name '${args[2]}'`);
  const now = Date.now();
  return [...g.consumers.values()]
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .map((c) => new MapReply(['name', c.name, 'pending', c.pending.size, 'idle', Math.max(0, now - c.seenTime)]));
};

export const xinfoHelp: Handler = () =>
  helpLines('XINFO', [
    'CONSUMERS <key> <groupname>',
    '    Show consumers of <groupname>.',
    'GROUPS <key>',
    '    Show the stream consumer groups.',
    'STREAM <key> [FULL [COUNT <count>]',
    '    Show information about the stream.',
  ]);
