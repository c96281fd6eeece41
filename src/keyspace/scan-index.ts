/**
 * A bucketed index of a database's keys, used only by SCAN and RANDOMKEY. SCAN needs a
 * cursor that survives inserts, deletes and resizes between calls; Redis gets that from
 * its hash table with a reverse-binary cursor, and so do we, over buckets of our own.
 */
const MIN_BITS = 2;

function hashKey(key: string): number {
  // FNV-1a over the bytes of a binary string.
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function reverseBits(v: number): number {
  v = ((v >>> 1) & 0x55555555) | ((v & 0x55555555) << 1);
  v = ((v >>> 2) & 0x33333333) | ((v & 0x33333333) << 2);
  v = ((v >>> 4) & 0x0f0f0f0f) | ((v & 0x0f0f0f0f) << 4);
  v = ((v >>> 8) & 0x00ff00ff) | ((v & 0x00ff00ff) << 8);
  v = (v >>> 16) | (v << 16);
  return v >>> 0;
}

export class ScanIndex {
  private buckets: string[][] = [];
  private mask = 0;
  private count = 0;

  private constructor(bits: number) {
    this.resize(bits);
  }

  static build(keys: Iterable<string>): ScanIndex {
    const index = new ScanIndex(MIN_BITS);
    for (const k of keys) index.add(k);
    return index;
  }

  add(key: string): void {
    this.buckets[hashKey(key) & this.mask].push(key);
    this.count++;
    if (this.count > this.buckets.length) this.rehash(1);
  }

  remove(key: string): void {
    const bucket = this.buckets[hashKey(key) & this.mask];
    const i = bucket.indexOf(key);
    if (i < 0) return;
    bucket[i] = bucket[bucket.length - 1];
    bucket.pop();
    this.count--;
    if (this.buckets.length > 1 << MIN_BITS && this.count * 8 < this.buckets.length) this.rehash(-1);
  }

  /** A uniformly chosen bucket's random key (as Redis's dictGetFairRandomKey approximates). */
  nth(_n: number): string | undefined {
    if (this.count === 0) return undefined;
    for (;;) {
      const bucket = this.buckets[Math.floor(Math.random() * this.buckets.length)];
      if (bucket.length) return bucket[Math.floor(Math.random() * bucket.length)];
    }
  }

  scan(cursor: number, count: number): { next: number; keys: string[] } {
    const keys: string[] = [];
    let v = cursor >>> 0;
    let emptyVisits = count * 10;
    do {
      const bucket = this.buckets[v & this.mask];
      if (bucket.length === 0) emptyVisits--;
      for (const k of bucket) keys.push(k);
      v = (v | ~this.mask) >>> 0;
      v = reverseBits(v);
      v = (v + 1) >>> 0;
      v = reverseBits(v);
    } while (v !== 0 && keys.length < count && emptyVisits > 0);
    return { next: v, keys };
  }

  private rehash(direction: 1 | -1): void {
    const bits = Math.log2(this.buckets.length) + direction;
    const old = this.buckets;
    this.resize(bits);
    for (const bucket of old) for (const k of bucket) this.buckets[hashKey(k) & this.mask].push(k);
  }

  private resize(bits: number): void {
    const size = 1 << bits;
    this.buckets = new Array(size);
    for (let i = 0; i < size; i++) this.buckets[i] = [];
    this.mask = size - 1;
  }
}
