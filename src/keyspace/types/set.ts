/**
 * A Redis set. Redis 7.0 encodes a set of integers (string2ll-canonical, int64) with at
 * most set-max-intset-entries members as an "intset", sorted by value, and anything else
 * as a "hashtable"; conversion is one-way. Iteration order follows the encoding: sorted
 * numerically for an intset, insertion order otherwise.
 */
import { parseInt64 } from '../../protocol/int64.js';
import type { CollectionValue, EncodingLimits } from '../value.js';
import { ElementScan } from './element-scan.js';

export function isIntsetMember(s: string): boolean {
  return s.length <= 20 && parseInt64(s) !== null;
}

function compareIntStrings(a: string, b: string): number {
  if (a.length < 16 && b.length < 16) return Number(a) - Number(b);
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

export class RedisSet implements CollectionValue {
  readonly type = 'set' as const;
  readonly members = new Set<string>();
  intset = true;
  /** Sorted members of an intset, rebuilt lazily after a change. */
  private sortedCache: string[] | null = null;
  readonly scanState = new ElementScan();

  encoding(): string {
    return this.intset ? 'intset' : 'hashtable';
  }

  get size(): number {
    return this.members.size;
  }

  isEmpty(): boolean {
    return this.members.size === 0;
  }

  has(member: string): boolean {
    return this.members.has(member);
  }

  /** Adds a member; true when new. Converts to hashtable as Redis's setTypeAdd does. */
  add(limits: EncodingLimits, member: string): boolean {
    if (this.members.has(member)) return false;
    if (this.intset && !isIntsetMember(member)) this.intset = false;
    this.members.add(member);
    this.sortedCache = null;
    this.scanState.added(member);
    if (this.intset && this.members.size > limits.setMaxIntsetEntries) this.intset = false;
    return true;
  }

  delete(member: string): boolean {
    if (!this.members.delete(member)) return false;
    this.sortedCache = null;
    this.scanState.removed(member);
    return true;
  }

  /** Members in the encoding's iteration order. */
  list(): string[] {
    if (!this.intset) return [...this.members];
    if (!this.sortedCache) this.sortedCache = [...this.members].sort(compareIntStrings);
    return this.sortedCache;
  }

  /** A uniformly random member (the set must not be empty). */
  random(): string {
    const arr = this.list();
    return arr[Math.floor(Math.random() * arr.length)];
  }

  memoryUsage(): number {
    let n = 64;
    for (const m of this.members) n += m.length + 24;
    return n;
  }

  clone(): RedisSet {
    const s = new RedisSet();
    s.intset = this.intset;
    for (const m of this.members) s.members.add(m);
    return s;
  }
}
