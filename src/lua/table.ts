/**
 * Lua 5.1 tables: an array part (keys 1..sizearray) and a hash part, sized the way
 * lua5.1's ltable.c sizes them (power-of-two rehash driven by integer-key counts), so
 * that `#t` finds the same border as lua5.1 wherever that is deterministic.
 *
 * The hash part keeps keys in insertion order in parallel arrays with a Map from key
 * to slot. As in Lua, a key set to nil keeps its slot ("dead" entry) until the next
 * rehash, which only happens when a new key is inserted into a full hash part; so
 * assigning nil to fields during a traversal with next() is safe, exactly as in Lua.
 *
 * Keys: numbers are JS doubles, so t[1.0] and t[1] are the same key; -0 and 0 are the
 * same Map key (SameValueZero). nil and NaN keys are rejected by `set` (the runtime
 * checks first to raise Lua's messages).
 */
import type { LuaValue } from './value.js';

/** Maximum array part size (MAXASIZE in ltable.c is 2^26). */
const MAX_ARRAY_SIZE = 1 << 26;

export class LuaTable {
  /** Array part: arr[i] holds key i+1; arr.length is Lua's sizearray. */
  arr: LuaValue[] = genericArray();
  /** Hash part, in slot order. */
  private hkeys: LuaValue[] = genericArray();
  private hvals: LuaValue[] = genericArray();
  private index = new Map<LuaValue, number>();
  /** Node capacity of the hash part (0 or a power of two), as Lua's sizenode. */
  private hashCapacity = 0;

  metatable: LuaTable | null = null;
  /** Set by the host (Redis sandbox): writes raise "Attempt to modify a readonly table". */
  readonly = false;

  /** Like lua_createtable(L, narr, nrec). */
  constructor(arraySize = 0, hashSize = 0) {
    for (let i = 0; i < arraySize; i++) this.arr.push(undefined);
    if (hashSize > 0) this.hashCapacity = ceilPowerOfTwo(hashSize);
  }

  get(key: LuaValue): LuaValue {
    if (typeof key === 'number') {
      const i = key - 1;
      if (i >>> 0 === i && i < this.arr.length) return this.arr[i];
    }
    const slot = this.index.get(key);
    return slot === undefined ? undefined : this.hvals[slot];
  }

  /** t[key] for a string key (no array-part test). */
  getStr(key: string): LuaValue {
    const slot = this.index.get(key);
    return slot === undefined ? undefined : this.hvals[slot];
  }

  /** Raw set. Throws for nil and NaN keys (callers raise Lua's message first). */
  set(key: LuaValue, value: LuaValue): void {
    if (typeof key === 'number') {
      const i = key - 1;
      if (i >>> 0 === i && i < this.arr.length) {
        this.arr[i] = value;
        return;
      }
      if (key !== key) throw new Error('table index is NaN');
    } else if (key === undefined) {
      throw new Error('table index is nil');
    }
    const slot = this.index.get(key);
    if (slot !== undefined) {
      this.hvals[slot] = value;
      return;
    }
    // A new key (even with a nil value, as luaH_set does).
    if (this.hkeys.length >= this.hashCapacity) {
      this.rehash(key);
      this.set(key, value);
      return;
    }
    this.index.set(key, this.hkeys.length);
    this.hkeys.push(key);
    this.hvals.push(value);
  }

  /** luaH_getn: a border, found exactly as lua5.1 finds it. */
  length(): number {
    const arr = this.arr;
    let j = arr.length;
    if (j > 0 && arr[j - 1] === undefined) {
      let i = 0;
      while (j - i > 1) {
        const m = (i + j) >>> 1;
        if (arr[m - 1] === undefined) j = m;
        else i = m;
      }
      return i;
    }
    if (this.hashCapacity === 0) return j;
    // unbound_search in the hash part
    let i = j;
    j++;
    while (this.get(j) !== undefined) {
      i = j;
      j *= 2;
      if (j > 2147483647) {
        i = 1;
        while (this.get(i) !== undefined) i++;
        return i - 1;
      }
    }
    while (j - i > 1) {
      const m = Math.floor((i + j) / 2);
      if (this.get(m) === undefined) j = m;
      else i = m;
    }
    return i;
  }

  /**
   * lua_next: the entry after `key` (nil: the first), or undefined at the end.
   * Throws an Error with message "invalid key to 'next'" for a key not in the table.
   */
  next(key: LuaValue): [LuaValue, LuaValue] | undefined {
    const pos = this.nextPosition(this.positionOf(key));
    if (pos < 0) return undefined;
    return this.entryAt(pos);
  }

  /**
   * Allocation-free traversal: positions 0..arr.length-1 are the array part, then the
   * hash slots. `positionOf(key)` gives a key's position (-1 for nil), and
   * `nextPosition(p)` the next position after p holding a non-nil value, or -1.
   */
  positionOf(key: LuaValue): number {
    if (key === undefined) return -1;
    if (typeof key === 'number') {
      const i = key - 1;
      if (i >>> 0 === i && i < this.arr.length) return i;
    }
    const slot = this.index.get(key);
    if (slot === undefined) throw new Error("invalid key to 'next'");
    return this.arr.length + slot;
  }

  nextPosition(pos: number): number {
    const arr = this.arr;
    const n = arr.length;
    for (let p = pos + 1; p < n; p++) if (arr[p] !== undefined) return p;
    const vals = this.hvals;
    for (let s = Math.max(pos + 1 - n, 0); s < vals.length; s++) {
      if (vals[s] !== undefined) return n + s;
    }
    return -1;
  }

  keyAt(pos: number): LuaValue {
    const n = this.arr.length;
    return pos < n ? pos + 1 : this.hkeys[pos - n];
  }

  valueAt(pos: number): LuaValue {
    const n = this.arr.length;
    return pos < n ? this.arr[pos] : this.hvals[pos - n];
  }

  entryAt(pos: number): [LuaValue, LuaValue] {
    return [this.keyAt(pos), this.valueAt(pos)];
  }

  /** Size the array part for at least n entries (SETLIST with a multi-value tail). */
  ensureArraySize(n: number): void {
    if (n > this.arr.length) this.resize(n, this.liveHashCount());
  }

  private liveHashCount(): number {
    let c = 0;
    for (const v of this.hvals) if (v !== undefined) c++;
    return c;
  }

  /** ltable.c rehash(): recompute both part sizes, counting `extraKey` as present. */
  private rehash(extraKey: LuaValue): void {
    const nums = new Array<number>(32).fill(0);
    let arrayKeys = 0;
    const arr = this.arr;
    for (let i = 0; i < arr.length; i++) {
      if (arr[i] !== undefined) {
        nums[ceilLog2(i + 1)]++;
        arrayKeys++;
      }
    }
    let total = arrayKeys;
    for (let s = 0; s < this.hkeys.length; s++) {
      if (this.hvals[s] === undefined) continue;
      total++;
      arrayKeys += countIntegerKey(this.hkeys[s], nums);
    }
    arrayKeys += countIntegerKey(extraKey, nums);
    total++;
    // computesizes
    let a = 0;
    let na = 0;
    let optimal = 0;
    for (let i = 0, twoToI = 1; twoToI / 2 < arrayKeys; i++, twoToI *= 2) {
      if (nums[i] > 0) {
        a += nums[i];
        if (a > twoToI / 2) {
          optimal = twoToI;
          na = a;
        }
      }
      if (a === arrayKeys) break;
    }
    this.resize(optimal, total - na);
  }

  /** luaH_resize: new array size and hash capacity; re-places every live entry. */
  private resize(arraySize: number, hashSize: number): void {
    const oldArr = this.arr;
    const oldKeys = this.hkeys;
    const oldVals = this.hvals;
    this.hkeys = genericArray();
    this.hvals = genericArray();
    this.index = new Map();
    this.hashCapacity = hashSize > 0 ? ceilPowerOfTwo(hashSize) : 0;
    let newArr: LuaValue[];
    if (arraySize >= oldArr.length) {
      newArr = oldArr;
      for (let i = oldArr.length; i < arraySize; i++) newArr.push(undefined);
      this.arr = newArr;
    } else {
      newArr = genericArray();
      for (let i = 0; i < arraySize; i++) newArr.push(oldArr[i]);
      this.arr = newArr;
      for (let i = arraySize; i < oldArr.length; i++) {
        if (oldArr[i] !== undefined) this.insertFresh(i + 1, oldArr[i]);
      }
    }
    for (let s = 0; s < oldKeys.length; s++) {
      const v = oldVals[s];
      if (v !== undefined) this.insertFresh(oldKeys[s], v);
    }
  }

  /** Insert during a resize: the sizes already fit, never rehashes. */
  private insertFresh(key: LuaValue, value: LuaValue): void {
    if (typeof key === 'number') {
      const i = key - 1;
      if (i >>> 0 === i && i < this.arr.length) {
        this.arr[i] = value;
        return;
      }
    }
    this.index.set(key, this.hkeys.length);
    this.hkeys.push(key);
    this.hvals.push(value);
    if (this.hkeys.length > this.hashCapacity) this.hashCapacity = ceilPowerOfTwo(this.hkeys.length);
  }
}

/**
 * An empty array already in V8's generic (PACKED_ELEMENTS) kind, so every table's
 * arrays share one map whatever values they hold: table accesses stay monomorphic.
 */
function genericArray(): LuaValue[] {
  const a: LuaValue[] = [undefined];
  a.pop();
  return a;
}

function ceilLog2(k: number): number {
  return k <= 1 ? 0 : 32 - Math.clz32(k - 1);
}

function ceilPowerOfTwo(n: number): number {
  return n <= 1 ? 1 : 2 ** ceilLog2(n);
}

/** ltable.c countint: a positive integer key up to MAXASIZE counts for the array part. */
function countIntegerKey(key: LuaValue, nums: number[]): number {
  if (typeof key === 'number' && Number.isInteger(key) && key >= 1 && key <= MAX_ARRAY_SIZE) {
    nums[ceilLog2(key)]++;
    return 1;
  }
  return 0;
}
