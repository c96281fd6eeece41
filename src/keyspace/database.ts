import type { RedisValue } from './value.js';
import { ScanIndex } from './scan-index.js';

/** What the keyspace tells the layer above about changes (WATCH, blocking, dirty count). */
export interface KeyspaceListener {
  /** A key's value changed, was deleted, or expired (Redis's signalModifiedKey). */
  keyModified(db: Database, key: string): void;
  /** A list/zset/stream key received elements: clients blocked on it may be served. */
  keyReady(db: Database, key: string): void;
  /** A key that did not exist was added (the "new" keyspace event). */
  keyCreated(db: Database, key: string): void;
  /** A key was deleted because its TTL passed (lazily or actively). */
  keyExpired(db: Database, key: string): void;
  /** The whole database was emptied or swapped. */
  databaseFlushed(db: Database): void;
  /** SWAPDB exchanged the contents of two databases (memory accounting measures both again). */
  contentsSwapped?(a: Database, b: Database): void;
}

/** A clock shared by all databases of one server: the time a command started, in ms. */
export interface Clock {
  now: number;
  /**
   * The running command came from a CLIENT NO-TOUCH client and is not TOUCH: lookups leave
   * access times as they are (lookupKey's LOOKUP_NOTOUCH for such clients, Redis 7.2).
   */
  noTouch?: boolean;
}

/**
 * One numbered database: keys, their values and their absolute expiry times (unix ms).
 * Every lookup applies lazy expiry, as Redis's lookupKey* do.
 */
export class Database {
  readonly data = new Map<string, RedisValue>();
  readonly expires = new Map<string, number>();
  /** Built on first SCAN, then kept up to date; null until then (keeps writes cheap). */
  private scanIndex: ScanIndex | null = null;
  /**
   * Keys whose string value was modified in place (APPEND, SETRANGE): Redis reports
   * them as "raw" whatever their length. null until the first such write.
   */
  private rawStrings: Set<string> | null = null;
  /** Counted by INFO keyspace-hits/misses. */
  hits = 0;
  misses = 0;
  /**
   * Last access time (ms) per key, for OBJECT IDLETIME and DEBUG OBJECT. Null until one
   * of them first asks (then keys not seen since count from `accessTrackedSince`), so
   * that servers which never ask pay nothing on lookups.
   */
  private accessTimes: Map<string, number> | null = null;
  private accessTrackedSince = 0;
  /** LFU counters set by RESTORE ... FREQ (other keys report the initial counter). */
  private lfuCounters: Map<string, number> | null = null;

  constructor(
    public id: number,
    readonly clock: Clock,
    readonly listener: KeyspaceListener,
    /** Replicas and scripts may forbid deleting expired keys; true for a normal server. */
    public expireEnabled = true,
  ) {}

  /**
   * With expireEnabled off: logically expired keys still exist for the command running
   * now (a replica applying its master's stream, as expireIfNeeded's "current client is
   * the master" case).
   */
  expiredVisible = false;

  get size(): number {
    return this.data.size;
  }

  /** Value of `key`, or undefined when absent or expired (expired keys are deleted). */
  get(key: string): RedisValue | undefined {
    const v = this.data.get(key);
    if (v === undefined) return undefined;
    if (this.expires.size !== 0 && this.expireIfNeeded(key)) return undefined;
    if (this.accessTimes !== null && this.clock.noTouch !== true) this.accessTimes.set(key, this.clock.now);
    return v;
  }

  /** Like get, without updating the key's access time (Redis's LOOKUP_NOTOUCH). */
  peek(key: string): RedisValue | undefined {
    const v = this.data.get(key);
    if (v === undefined) return undefined;
    if (this.expires.size !== 0 && this.expireIfNeeded(key)) return undefined;
    return v;
  }

  /** Milliseconds since `key` was last read or written (starts access tracking on first use). */
  idleMs(key: string): number {
    if (this.accessTimes === null) {
      this.accessTimes = new Map();
      this.accessTrackedSince = this.clock.now;
    }
    return Math.max(0, this.clock.now - (this.accessTimes.get(key) ?? this.accessTrackedSince));
  }

  /** Makes the key's last access `idleMs` ago (RESTORE ... IDLETIME). */
  setIdleMs(key: string, idleMs: number): void {
    this.idleMs(key); // starts tracking if nothing asked yet
    this.accessTimes!.set(key, this.clock.now - idleMs);
  }

  /** The LFU counter RESTORE ... FREQ gave the key, if any. */
  lfuCounter(key: string): number | undefined {
    return this.lfuCounters === null ? undefined : this.lfuCounters.get(key);
  }

  setLfuCounter(key: string, counter: number): void {
    (this.lfuCounters ??= new Map()).set(key, counter);
  }

  /** Like get, counting keyspace hits and misses (for read commands). */
  lookupRead(key: string): RedisValue | undefined {
    const v = this.get(key);
    if (v === undefined) this.misses++;
    else this.hits++;
    return v;
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  /**
   * Stores `value` at `key`. The TTL is removed unless keepTtl. Signals the change.
   */
  set(key: string, value: RedisValue, keepTtl = false): void {
    // One hash lookup: the size tells whether the key was new.
    const sizeBefore = this.data.size;
    this.data.set(key, value);
    const existed = this.data.size === sizeBefore;
    if (this.rawStrings !== null) this.rawStrings.delete(key);
    if (!existed) {
      if (this.scanIndex) this.scanIndex.add(key);
      this.listener.keyCreated(this, key);
    }
    if (!keepTtl && this.expires.size !== 0) this.expires.delete(key);
    if (this.accessTimes !== null) this.accessTimes.set(key, this.clock.now);
    this.listener.keyModified(this, key);
  }

  /** Deletes `key` (if present and not expired). Signals the change. */
  delete(key: string): boolean {
    if (this.get(key) === undefined) return false;
    this.removeEntry(key);
    this.listener.keyModified(this, key);
    return true;
  }

  /** Marks a string modified in place (OBJECT ENCODING answers "raw"). */
  markRawString(key: string): void {
    if (this.rawStrings === null) this.rawStrings = new Set();
    this.rawStrings.add(key);
  }

  isRawString(key: string): boolean {
    return this.rawStrings !== null && this.rawStrings.has(key);
  }

  /** Call after changing a collection in place: WATCH and the dirty counter learn of it. */
  modified(key: string): void {
    this.listener.keyModified(this, key);
  }

  /** Call after pushing elements: wakes clients blocked on the key. */
  signalReady(key: string): void {
    this.listener.keyReady(this, key);
  }

  /** Absolute expiry time in ms, or undefined for a key without TTL. */
  getExpire(key: string): number | undefined {
    return this.expires.size === 0 ? undefined : this.expires.get(key);
  }

  /** Sets an absolute expiry time (ms). The key must exist. Does not signal. */
  setExpire(key: string, whenMs: number): void {
    this.expires.set(key, whenMs);
  }

  /** Removes the TTL; true if there was one. Does not signal. */
  removeExpire(key: string): boolean {
    return this.expires.delete(key);
  }

  /** True (and deletes the key) if `key` has a TTL in the past. */
  expireIfNeeded(key: string): boolean {
    const when = this.expires.get(key);
    if (when === undefined || when > this.clock.now) return false;
    if (!this.expireEnabled) return !this.expiredVisible;
    this.removeEntry(key);
    this.listener.keyExpired(this, key);
    this.listener.keyModified(this, key);
    return true;
  }

  /** True if `key` exists but its TTL has passed (without deleting it). */
  isLogicallyExpired(key: string): boolean {
    const when = this.expires.get(key);
    return when !== undefined && when <= this.clock.now;
  }

  /** Empties the database; returns how many keys it held. */
  flush(): number {
    const n = this.data.size;
    // Told first, so watchers of keys that exist now are touched.
    this.listener.databaseFlushed(this);
    this.data.clear();
    this.expires.clear();
    this.scanIndex = null;
    if (this.accessTimes !== null) this.accessTimes.clear();
    this.lfuCounters = null;
    return n;
  }

  /** Exchanges contents with another database (SWAPDB). Listeners are told by the caller. */
  swapContents(other: Database): void {
    const swap = <T>(a: Map<string, T>, b: Map<string, T>) => {
      const tmp = [...a];
      a.clear();
      for (const [k, v] of b) a.set(k, v);
      b.clear();
      for (const [k, v] of tmp) b.set(k, v);
    };
    swap(this.data, other.data);
    swap(this.expires, other.expires);
    this.scanIndex = null;
    other.scanIndex = null;
    [this.accessTimes, other.accessTimes] = [other.accessTimes, this.accessTimes];
    [this.accessTrackedSince, other.accessTrackedSince] = [other.accessTrackedSince, this.accessTrackedSince];
    [this.lfuCounters, other.lfuCounters] = [other.lfuCounters, this.lfuCounters];
    this.listener.contentsSwapped?.(this, other);
  }

  /** A random key that is not expired, or undefined if there is none. */
  randomKey(): string | undefined {
    // Try a few random picks; expired keys met on the way are deleted as Redis does.
    for (let attempt = 0; attempt < 100 && this.data.size > 0; attempt++) {
      const key = this.nthKey(Math.floor(Math.random() * this.data.size));
      if (key === undefined) return undefined;
      if (this.expires.size === 0 || !this.isLogicallyExpired(key)) return key;
      if (this.expireEnabled) this.expireIfNeeded(key);
      else if (this.expires.size === this.data.size) return key;
    }
    return undefined;
  }

  private nthKey(n: number): string | undefined {
    if (!this.scanIndex) this.scanIndex = ScanIndex.build(this.data.keys());
    return this.scanIndex.nth(n);
  }

  /**
   * One SCAN step: keys of the buckets visited from `cursor`, and the next cursor
   * (0 when done). Keys present for the whole scan are all returned.
   */
  scan(cursor: number, count: number): { next: number; keys: string[] } {
    if (!this.scanIndex) this.scanIndex = ScanIndex.build(this.data.keys());
    return this.scanIndex.scan(cursor, count);
  }

  /** Deletes the entry without signalling (the caller signals). */
  private removeEntry(key: string): void {
    this.data.delete(key);
    if (this.rawStrings !== null) this.rawStrings.delete(key);
    if (this.expires.size !== 0) this.expires.delete(key);
    if (this.scanIndex) this.scanIndex.remove(key);
    if (this.accessTimes !== null) this.accessTimes.delete(key);
    if (this.lfuCounters !== null) this.lfuCounters.delete(key);
  }

  /** Removes a key without lazy-expiry checks or signals: for MOVE/RENAME internals. */
  takeEntry(key: string): { value: RedisValue; expire: number | undefined } | undefined {
    const value = this.data.get(key);
    if (value === undefined) return undefined;
    const expire = this.expires.get(key);
    this.removeEntry(key);
    return { value, expire };
  }
}
