/**
 * Memory accounting and maxmemory eviction (Redis's evict.c).
 *
 * used_memory is not the JS heap (which moves with garbage collection, not with the
 * dataset): it is a fixed startup overhead plus the MEMORY USAGE estimate of every key,
 * kept up to date incrementally. Writes only mark keys as changed; sizes are settled
 * when someone asks (INFO, the eviction check before each command while maxmemory is
 * set), so a key written many times between two questions is measured once.
 *
 * Before each command, with maxmemory set, performEvictions deletes keys chosen by
 * maxmemory-policy until used memory is back under the limit, publishing `evicted`,
 * counting evicted_keys and propagating DEL (UNLINK with lazyfree-lazy-eviction).
 */
import { keyMemoryUsage } from '../keyspace/memory-usage.js';
import type { Database } from '../keyspace/database.js';
import { NotifyClass, notifyKeyspaceEvent } from './notifications.js';
import { Propagator } from './propagation.js';
import type { Server } from './server.js';

/** What an empty server reports, close to redis-server 7.0's used_memory at startup. */
export const STARTUP_BYTES = 880 * 1024;

/** Past this many unsettled keys, settle at once so the set of changed keys stays small. */
const MAX_UNSETTLED = 65536;

/** One database's share of used memory. */
class DatabaseMemory {
  readonly sizes = new Map<string, number>();
  total = 0;
  /** Keys written, deleted or expired since the last settle. */
  readonly unsettled = new Set<string>();
  /** Everything must be measured again (after FLUSHDB, SWAPDB). */
  stale = false;
}

/** Tracks the estimated bytes held by each database's keys. */
export class MemoryAccountant {
  private readonly perDb = new Map<Database, DatabaseMemory>();

  private of(db: Database): DatabaseMemory {
    let m = this.perDb.get(db);
    if (m === undefined) {
      m = new DatabaseMemory();
      // A database first seen now may already hold keys (loaded before any write).
      m.stale = db.size !== 0;
      this.perDb.set(db, m);
    }
    return m;
  }

  /** A key was written, deleted or expired. */
  touched(db: Database, key: string): void {
    const m = this.of(db);
    if (m.stale) return;
    m.unsettled.add(key);
    if (m.unsettled.size > MAX_UNSETTLED) this.settle(db, m);
  }

  /** The database was emptied or exchanged its contents: measure it again. */
  invalidate(db: Database): void {
    const m = this.of(db);
    m.stale = true;
    m.unsettled.clear();
  }

  /** Bytes held by the keys of `databases`. */
  datasetBytes(databases: readonly Database[]): number {
    let total = 0;
    for (const db of databases) {
      const m = this.of(db);
      if (m.stale || m.unsettled.size !== 0) this.settle(db, m);
      total += m.total;
    }
    return total;
  }

  private settle(db: Database, m: DatabaseMemory): void {
    if (m.stale) {
      m.sizes.clear();
      m.total = 0;
      for (const [key, value] of db.data) {
        const size = keyMemoryUsage(key, value);
        m.sizes.set(key, size);
        m.total += size;
      }
      m.stale = false;
      m.unsettled.clear();
      return;
    }
    for (const key of m.unsettled) {
      const before = m.sizes.get(key) ?? 0;
      const value = db.data.get(key);
      const after = value === undefined ? 0 : keyMemoryUsage(key, value);
      if (value === undefined) m.sizes.delete(key);
      else m.sizes.set(key, after);
      m.total += after - before;
    }
    m.unsettled.clear();
  }
}

// ---- eviction ----------------------------------------------------------------------

type Policy =
  | 'allkeys-lru' | 'allkeys-lfu' | 'allkeys-random'
  | 'volatile-lru' | 'volatile-lfu' | 'volatile-random' | 'volatile-ttl';

/** LFU_INIT_VAL: the counter of a key nothing else was recorded for. */
const LFU_INIT_COUNTER = 5;

/** Round-robin start for the random policies (as evict.c's static next_db). */
let nextRandomDb = 0;

/**
 * performEvictions: frees memory until used memory is under maxmemory. Returns false
 * (EVICT_FAIL) when that is impossible: policy noeviction or nothing left to evict.
 */
export function performEvictions(server: Server): boolean {
  const limit = server.maxmemory;
  if (limit === 0) return true;
  // Replicas leave eviction to their master (its DELs arrive through replication).
  if (server.replication.master !== null && server.config.getBool('replica-ignore-maxmemory')) return true;
  if (server.usedMemory() - server.memoryNotCountedForEvict() <= limit) return true;
  const policy = server.config.get('maxmemory-policy');
  if (policy === 'noeviction') return false;
  const samples = server.config.getInt('maxmemory-samples');
  const lazy = server.config.getBool('lazyfree-lazy-eviction');
  while (server.usedMemory() - server.memoryNotCountedForEvict() > limit) {
    const victim = selectVictim(server, policy as Policy, samples);
    if (victim === null) return false;
    evictKey(server, victim.db, victim.key, lazy);
  }
  return true;
}

/** startEvictionTimeProc: evicts on the next turn of the event loop, outside any command. */
export function scheduleEvictions(server: Server): void {
  setImmediate(() => {
    if (server.callDepth === 0) performEvictions(server);
  });
}

function evictKey(server: Server, db: Database, key: string, lazy: boolean): void {
  // propagateDeletion comes first, so replicas and the AOF delete before anything else.
  const propagator = server.existingSlot(Propagator.slot);
  propagator?.propagate(db.id, [lazy ? 'UNLINK' : 'DEL', key]);
  // A key found expired on the way is removed as expired, not counted as evicted.
  if (!db.delete(key)) return;
  server.stats.evictedKeys++;
  if (server.notifyFlags !== 0) notifyKeyspaceEvent(server, NotifyClass.EVICTED, 'evicted', key, db.id);
}

function selectVictim(server: Server, policy: Policy, samples: number): { db: Database; key: string } | null {
  const volatile = policy.startsWith('volatile-');
  const dbs = server.databases;
  if (policy.endsWith('-random')) {
    for (let i = 0; i < dbs.length; i++) {
      const db = dbs[(nextRandomDb + i) % dbs.length]!;
      const key = sampleKeys(db, volatile, 1)[0];
      if (key !== undefined) {
        nextRandomDb = (nextRandomDb + i + 1) % dbs.length;
        return { db, key };
      }
    }
    return null;
  }
  // Sampled policies: the best candidate among `samples` keys of every database.
  let best: { db: Database; key: string; score: number } | null = null;
  for (const db of dbs) {
    for (const key of sampleKeys(db, volatile, samples)) {
      const score = evictionScore(db, key, policy);
      if (best === null || score > best.score) best = { db, key, score };
    }
  }
  return best;
}

/** Higher evicts first: idle time (LRU), rarity then idle time (LFU), nearness of expiry (TTL). */
function evictionScore(db: Database, key: string, policy: Policy): number {
  if (policy === 'volatile-ttl') return -(db.getExpire(key) ?? Number.MAX_SAFE_INTEGER);
  const idle = db.idleMs(key);
  if (policy.endsWith('-lfu')) {
    const counter = db.lfuCounter(key) ?? LFU_INIT_COUNTER;
    return (255 - counter) * 1e12 + idle;
  }
  return idle;
}

/**
 * Up to `n` distinct candidate keys of `db` (only keys with a TTL when `volatile`).
 * Small sets are examined whole, so the choice is exact there.
 */
function sampleKeys(db: Database, volatile: boolean, n: number): string[] {
  const pool = volatile ? db.expires : db.data;
  if (pool.size === 0) return [];
  if (pool.size <= Math.max(n, 16)) return [...pool.keys()];
  const picked = new Set<string>();
  for (let attempt = 0; attempt < n * 4 && picked.size < n; attempt++) {
    const key = db.randomKey();
    if (key === undefined) break;
    if (!volatile || db.expires.has(key)) picked.add(key);
  }
  if (volatile && picked.size < n) {
    // Few keys carry a TTL: take the longest-standing ones.
    for (const key of db.expires.keys()) {
      picked.add(key);
      if (picked.size >= n) break;
    }
  }
  return [...picked];
}
