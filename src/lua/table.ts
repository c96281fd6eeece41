/**
 * Lua 5.1 tables, laid out exactly as lua5.1's ltable.c lays them out, so that
 * `next`/`pairs` order (and everything built on it: cjson.encode, cmsgpack.pack,
 * Redis replies of scripts) is the order lua5.1 and redis-server produce.
 *
 * - Array part: `arr[i]` holds key i+1; `arr.length` is Lua's sizearray.
 * - Hash part: a power-of-two node vector (`nodeKey`/`nodeValue`/`nodeNext`) filled
 *   with Brent's variation of chained scatter tables, exactly as luaH_newkey does:
 *   a key goes to its main position (its hash modulo the size); on a collision either
 *   the intruder is moved to the free slot found by `lastFree` scanning downwards, or
 *   the new key goes there. A full node vector triggers `rehash`, which recomputes
 *   both part sizes from the integer-key counts (computesizes) and re-inserts every
 *   live entry from the highest node down, as ltable.c's resize does.
 * - Traversal (luaH_next) walks the array part and then the node vector by index.
 *
 * Lookups do not walk chains: a Map from key to node index mirrors the node vector
 * (it holds exactly the keys present in nodes, including keys whose value was set to
 * nil, which keep their node until the next rehash just like in Lua). Node vectors of
 * up to 8 nodes have no Map: their keys are scanned. Lua's hash of a
 * key is computed only when a key is inserted, and cached per node for rehashes.
 *
 * Hashes (lstring.c / ltable.c): strings with luaS_newlstr's hash (Redis's Lua hashes
 * every byte; stock lua5.1 skips bytes of strings of 32 bytes or more: see
 * `useStockLua51StringHash`), numbers by adding the two 32-bit halves of the double
 * (0 and -0 at node 0), booleans by value; tables, functions and threads by a
 * per-object serial number standing in for the C address.
 *
 * Keys: numbers are JS doubles, so t[1.0] and t[1] are the same key; -0 and 0 are the
 * same Map key (SameValueZero). nil and NaN keys are rejected by `set` (the runtime
 * checks first to raise Lua's messages).
 */
import type { LuaValue } from './value.js';

/** Maximum array part size (MAXASIZE in ltable.c is 2^26). */
const MAX_ARRAY_SIZE = 1 << 26;
const MAX_BITS = 26;

/** Node vectors up to this size have no key index: a scan is cheaper than a Map. */
const SMALL_NODES = 8;

/** No next node in a chain. */
const NONE = -1;

/** Redis patched luaS_newlstr to hash every byte; stock lua5.1 steps over long strings. */
let hashEveryByte = true;

/** Switch to stock lua5.1's string hash (the differential tests against lua5.1 use it). */
export function useStockLua51StringHash(stock: boolean): void {
  hashEveryByte = !stock;
}

/** luaS_newlstr's hash of a byte string. */
export function luaStringHash(s: string): number {
  const len = s.length;
  let h = len >>> 0;
  const step = hashEveryByte ? 1 : (len >>> 5) + 1;
  for (let l1 = len; l1 >= step; l1 -= step) {
    h = (h ^ (((h << 5) >>> 0) + (h >>> 2) + (s.charCodeAt(l1 - 1) & 0xff))) >>> 0;
  }
  return h;
}

const numberView = new Float64Array(1);
const numberWords = new Uint32Array(numberView.buffer);

/** ltable.c hashnum before the modulo: the sum of the double's two 32-bit words. */
function numberHash(n: number): number {
  if (n === 0) return 0;
  numberView[0] = n;
  return (numberWords[0] + numberWords[1]) >>> 0;
}

/** Stand-ins for C addresses of collectable keys: assigned on first use as a key. */
const objectSerials = new WeakMap<object, number>();
let nextObjectSerial = 1;

function objectHash(o: object): number {
  let id = objectSerials.get(o);
  if (id === undefined) {
    // spaced like heap addresses of same-sized objects
    id = (nextObjectSerial++ * 40) >>> 0;
    objectSerials.set(o, id);
  }
  return id;
}

/** The hash of a key before it is reduced to a node index (see `mainPosition`). */
function keyHash(key: LuaValue): number {
  switch (typeof key) {
    case 'string': return luaStringHash(key);
    case 'number': return numberHash(key);
    case 'boolean': return key ? 1 : 0;
    default: return objectHash(key as object);
  }
}

/** hashpow2 for strings and booleans, hashmod (odd divisor) for everything else. */
function mainPosition(key: LuaValue, hash: number, size: number): number {
  const t = typeof key;
  return t === 'string' || t === 'boolean' ? hash & (size - 1) : hash % ((size - 1) | 1);
}

export class LuaTable {
  /** Array part: arr[i] holds key i+1; arr.length is Lua's sizearray. */
  arr: LuaValue[] = genericArray();
  /** Node vector of the hash part: key (undefined = free node), value, chain link. */
  private nodeKey: LuaValue[] = EMPTY_NODES;
  private nodeValue: LuaValue[] = EMPTY_NODES;
  private nodeNext: number[] = EMPTY_LINKS;
  /** keyHash of each node's key, so rehashing does not rehash strings. */
  private nodeHash: number[] = EMPTY_LINKS;
  /** Number of nodes: 0 (Lua's shared dummy node) or a power of two. */
  private nodeCount = 0;
  /** ltable.c lastfree: free nodes are searched for below this index. */
  private lastFree = 0;
  /** Key -> node index, for every key present in the node vector. */
  private index: Map<LuaValue, number> = EMPTY_INDEX;

  metatable: LuaTable | null = null;
  /** Set by the host (Redis sandbox): writes raise "Attempt to modify a readonly table". */
  readonly = false;

  /** Like lua_createtable(L, narr, nrec). */
  constructor(arraySize = 0, hashSize = 0) {
    for (let i = 0; i < arraySize; i++) this.arr.push(undefined);
    if (hashSize > 0) this.setNodeVector(hashSize);
  }

  get(key: LuaValue): LuaValue {
    if (typeof key === 'number') {
      const i = key - 1;
      if (i >>> 0 === i && i < this.arr.length) return this.arr[i];
    }
    const slot = this.slotOf(key);
    return slot < 0 ? undefined : this.nodeValue[slot];
  }

  /** t[key] for a string key (no array-part test). */
  getStr(key: string): LuaValue {
    const slot = this.slotOf(key);
    return slot < 0 ? undefined : this.nodeValue[slot];
  }

  /** The node holding `key`, or -1. Small node vectors are scanned: no Map to build. */
  private slotOf(key: LuaValue): number {
    const size = this.nodeCount;
    if (size <= SMALL_NODES) {
      const keys = this.nodeKey;
      for (let i = 0; i < size; i++) if (keys[i] === key) return i;
      return -1;
    }
    const slot = this.index.get(key);
    return slot === undefined ? -1 : slot;
  }

  /** Raw set (luaH_set). Throws for nil and NaN keys (callers raise Lua's message first). */
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
    const slot = this.slotOf(key);
    if (slot >= 0) {
      this.nodeValue[slot] = value;
      return;
    }
    // A new key, even with a nil value: luaH_set creates the node before storing.
    this.newKey(key, value);
  }

  /** luaH_newkey: place a key that is in neither part. */
  private newKey(key: LuaValue, value: LuaValue): void {
    const size = this.nodeCount;
    if (size === 0) {
      this.rehash(key);
      this.set(key, value);
      return;
    }
    const hash = keyHash(key);
    const keys = this.nodeKey;
    const next = this.nodeNext;
    let mp = mainPosition(key, hash, size);
    if (this.nodeValue[mp] !== undefined) {
      const free = this.freePosition();
      if (free < 0) {
        this.rehash(key);
        this.set(key, value);
        return;
      }
      const other = keys[mp];
      let othern = mainPosition(other, this.nodeHash[mp], size);
      if (othern !== mp) {
        // the colliding node is out of its main position: move it to the free node
        while (next[othern] !== mp) othern = next[othern];
        next[othern] = free;
        keys[free] = other;
        this.nodeValue[free] = this.nodeValue[mp];
        next[free] = next[mp];
        this.nodeHash[free] = this.nodeHash[mp];
        if (size > SMALL_NODES) this.index.set(other, free);
        next[mp] = NONE;
        keys[mp] = undefined;
      } else {
        // the colliding node is in its main position: the new key takes the free node
        next[free] = next[mp];
        next[mp] = free;
        mp = free;
      }
    } else {
      // a node whose value is nil: a key left there (set to nil) is overwritten
      const stale = keys[mp];
      if (stale !== undefined && size > SMALL_NODES) this.index.delete(stale);
    }
    keys[mp] = key;
    this.nodeHash[mp] = hash;
    this.nodeValue[mp] = value;
    if (size > SMALL_NODES) this.index.set(key, mp);
  }

  /** getfreepos: the next node below `lastFree` with no key, or -1. */
  private freePosition(): number {
    const keys = this.nodeKey;
    while (this.lastFree > 0) {
      this.lastFree--;
      if (keys[this.lastFree] === undefined) return this.lastFree;
    }
    return -1;
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
    if (this.nodeCount === 0) return j;
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
   * nodes. `positionOf(key)` gives a key's position (-1 for nil), and
   * `nextPosition(p)` the next position after p holding a non-nil value, or -1.
   */
  positionOf(key: LuaValue): number {
    if (key === undefined) return -1;
    if (typeof key === 'number') {
      const i = key - 1;
      if (i >>> 0 === i && i < this.arr.length) return i;
    }
    const slot = this.slotOf(key);
    if (slot < 0) throw new Error("invalid key to 'next'");
    return this.arr.length + slot;
  }

  nextPosition(pos: number): number {
    const arr = this.arr;
    const n = arr.length;
    for (let p = pos + 1; p < n; p++) if (arr[p] !== undefined) return p;
    const vals = this.nodeValue;
    const size = this.nodeCount;
    for (let s = pos + 1 > n ? pos + 1 - n : 0; s < size; s++) {
      if (vals[s] !== undefined) return n + s;
    }
    return -1;
  }

  keyAt(pos: number): LuaValue {
    const n = this.arr.length;
    return pos < n ? pos + 1 : this.nodeKey[pos - n];
  }

  valueAt(pos: number): LuaValue {
    const n = this.arr.length;
    return pos < n ? this.arr[pos] : this.nodeValue[pos - n];
  }

  entryAt(pos: number): [LuaValue, LuaValue] {
    return [this.keyAt(pos), this.valueAt(pos)];
  }

  /** luaH_resizearray for SETLIST: grow the array part to at least n entries. */
  ensureArraySize(n: number): void {
    if (n > this.arr.length) this.resize(n, this.nodeCount);
  }

  /** ltable.c rehash(): recompute both part sizes, counting `extraKey` as present. */
  private rehash(extraKey: LuaValue): void {
    const nums = new Array<number>(MAX_BITS + 1).fill(0);
    let arrayKeys = 0;
    const arr = this.arr;
    for (let i = 0; i < arr.length; i++) {
      if (arr[i] !== undefined) {
        nums[ceilLog2(i + 1)]++;
        arrayKeys++;
      }
    }
    let total = arrayKeys;
    for (let s = this.nodeCount - 1; s >= 0; s--) {
      if (this.nodeValue[s] === undefined) continue;
      total++;
      arrayKeys += countIntegerKey(this.nodeKey[s], nums);
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

  /** setnodevector: a fresh node vector for at least `size` keys (0: the dummy). */
  private setNodeVector(size: number): void {
    if (size === 0) {
      this.nodeKey = EMPTY_NODES;
      this.nodeValue = EMPTY_NODES;
      this.nodeNext = EMPTY_LINKS;
      this.nodeHash = EMPTY_LINKS;
      this.nodeCount = 0;
      this.lastFree = 0;
      this.index = EMPTY_INDEX;
      return;
    }
    const bits = ceilLog2(size);
    if (bits > MAX_BITS) throw new Error('table overflow');
    const n = 2 ** bits;
    const keys = genericArray();
    const vals = genericArray();
    const next: number[] = [];
    const hashes: number[] = [];
    for (let i = 0; i < n; i++) {
      keys.push(undefined);
      vals.push(undefined);
      next.push(NONE);
      hashes.push(0);
    }
    this.nodeKey = keys;
    this.nodeValue = vals;
    this.nodeNext = next;
    this.nodeHash = hashes;
    this.nodeCount = n;
    this.lastFree = n;
    this.index = n > SMALL_NODES ? new Map() : EMPTY_INDEX;
  }

  /** ltable.c resize: new part sizes; re-inserts the entries the way Lua does. */
  private resize(arraySize: number, hashSize: number): void {
    const oldArr = this.arr;
    const oldSize = oldArr.length;
    const oldKeys = this.nodeKey;
    const oldVals = this.nodeValue;
    const oldCount = this.nodeCount;
    if (arraySize > oldSize) {
      for (let i = oldSize; i < arraySize; i++) oldArr.push(undefined);
    }
    this.setNodeVector(hashSize);
    if (arraySize < oldSize) {
      // the vanishing slice moves to the hash part
      const newArr = genericArray();
      for (let i = 0; i < arraySize; i++) newArr.push(oldArr[i]);
      this.arr = newArr;
      for (let i = arraySize; i < oldSize; i++) {
        if (oldArr[i] !== undefined) this.set(i + 1, oldArr[i]);
      }
    }
    for (let s = oldCount - 1; s >= 0; s--) {
      const v = oldVals[s];
      if (v !== undefined) this.set(oldKeys[s], v);
    }
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

/** The dummy node vector every table without a hash part shares (never written). */
const EMPTY_NODES: LuaValue[] = genericArray();
const EMPTY_LINKS: number[] = [];
/** The index of tables without nodes: newKey never writes to it (it rehashes first). */
const EMPTY_INDEX = new Map<LuaValue, number>();

function ceilLog2(k: number): number {
  return k <= 1 ? 0 : 32 - Math.clz32(k - 1);
}

/** ltable.c countint: a positive integer key up to MAXASIZE counts for the array part. */
function countIntegerKey(key: LuaValue, nums: number[]): number {
  if (typeof key === 'number' && Number.isInteger(key) && key >= 1 && key <= MAX_ARRAY_SIZE) {
    nums[ceilLog2(key)]++;
    return 1;
  }
  return 0;
}

/** lobject.c luaO_int2fb then luaO_fb2int: the table size a constructor asks for. */
export function constructorSize(n: number): number {
  let x = n;
  let e = 0;
  while (x >= 16) {
    x = (x + 1) >>> 1;
    e++;
  }
  if (x < 8) return x;
  return x << e;
}
