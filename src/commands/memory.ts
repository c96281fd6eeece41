/**
 * MEMORY USAGE / STATS / DOCTOR / MALLOC-STATS / PURGE / HELP.
 *
 * lunakv has no allocator to ask, so MEMORY USAGE estimates what Redis would allocate for
 * the key (keyspace/memory-usage.ts, which eviction measures with too). The numbers cannot equal jemalloc's, but they grow with
 * the value, which is what Redis's tests compare.
 */
import { DoubleReply, Errors, MapReply, OK, VerbatimReply, type Reply } from '../protocol/reply.js';
import type { Client } from '../server/client.js';
import type { Server } from '../server/server.js';
import { DICT_ENTRY_BYTES, keyMemoryUsage } from '../keyspace/memory-usage.js';
import { is, parseInt64 } from './args.js';
import type { Handler } from './registry.js';
import { helpLines } from './replies.js';

const MEMORY_HELP = [
  'DOCTOR',
  '    Return memory problems reports.',
  'MALLOC-STATS',
  '    Return internal statistics report from the memory allocator.',
  'PURGE',
  '    Attempt to purge dirty pages for reclamation by the allocator.',
  'STATS',
  '    Return information about the memory usage of the server.',
  'USAGE <key> [SAMPLES <count>]',
  '    Return memory in bytes used by <key> and its value. Nested values are',
  '    sampled up to <count> times (default: 5, 0 means sample all).',
];

function memoryUsage(client: Client, args: string[]): Reply {
  for (let j = 3; j < args.length; j++) {
    if (is(args[j], 'samples') && j + 1 < args.length) {
      const samples = parseInt64(args[j + 1]);
      if (samples === null) return Errors.notInteger;
      if (samples < 0n) return Errors.syntax;
      j++;
    } else {
      return Errors.syntax;
    }
  }
  // Like Redis, a plain lookup: neither hit/miss statistics nor the LRU clock change.
  const value = client.db.peek(args[2]);
  return value === undefined ? null : keyMemoryUsage(args[2], value);
}

function datasetBytes(server: Server): { keys: number; bytes: number } {
  let keys = 0;
  let bytes = 0;
  for (const db of server.databases) {
    for (const [key, value] of db.data) {
      keys++;
      bytes += keyMemoryUsage(key, value);
    }
  }
  return { keys, bytes };
}

function memoryStats(client: Client): Reply {
  const server = client.server;
  const total = server.usedMemory();
  const { keys, bytes } = datasetBytes(server);
  const rss = process.memoryUsage().rss;
  const entries: Reply[] = [
    'peak.allocated', total,
    'total.allocated', total,
    'startup.allocated', 0,
    'replication.backlog', 0,
    'clients.slaves', 0,
    'clients.normal', 0,
    'cluster.links', 0,
    'aof.buffer', 0,
    'lua.caches', 0,
    'functions.caches', 0,
  ];
  for (const db of server.databases) {
    if (db.size === 0) continue;
    entries.push(`db.${db.id}`, new MapReply([
      'overhead.hashtable.main', db.size * DICT_ENTRY_BYTES,
      'overhead.hashtable.expires', 0,
      'overhead.hashtable.slot-to-keys', 0,
    ]));
  }
  const overhead = keys * DICT_ENTRY_BYTES;
  entries.push(
    'overhead.total', overhead,
    'keys.count', keys,
    'keys.bytes-per-key', keys ? Math.floor(total / keys) : 0,
    'dataset.bytes', bytes,
    'dataset.percentage', new DoubleReply(total ? (bytes * 100) / total : 0),
    'peak.percentage', new DoubleReply(100),
    'allocator.allocated', total,
    'allocator.active', total,
    'allocator.resident', rss,
    'allocator-fragmentation.ratio', new DoubleReply(1),
    'allocator-fragmentation.bytes', 0,
    'allocator-rss.ratio', new DoubleReply(1),
    'allocator-rss.bytes', 0,
    'rss-overhead.ratio', new DoubleReply(total ? rss / total : 1),
    'rss-overhead.bytes', rss - total,
    'fragmentation', new DoubleReply(total ? rss / total : 1),
    'fragmentation.bytes', rss - total,
  );
  return new MapReply(entries);
}

export const memoryCommands: Record<string, Handler> = {
  'memory|usage': memoryUsage,
  'memory|stats': memoryStats,
  'memory|doctor': () => new VerbatimReply('Hi Sam, I can\'t find any memory issue in your instance. I can only account for what occurs on this base.'),
  'memory|malloc-stats': () => 'Stats not supported for the current allocator',
  'memory|purge': () => OK,
  'memory|help': () => helpLines('MEMORY', MEMORY_HELP),
};
