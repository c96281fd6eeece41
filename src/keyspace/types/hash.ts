/**
 * A Redis hash. Fields keep insertion order, which is what a listpack-encoded hash
 * shows; once converted to "hashtable" (past hash-max-listpack-entries/value) it stays
 * so, like Redis (conversions are one-way).
 */
import type { CollectionValue, EncodingLimits } from '../value.js';
import { ElementScan } from './element-scan.js';

export class RedisHash implements CollectionValue {
  readonly type = 'hash' as const;
  readonly fields = new Map<string, string>();
  /** True once converted to a hashtable encoding. */
  hashtable = false;
  readonly scanState = new ElementScan();

  encoding(): string {
    return this.hashtable ? 'hashtable' : 'listpack';
  }

  get size(): number {
    return this.fields.size;
  }

  isEmpty(): boolean {
    return this.fields.size === 0;
  }

  /** hashTypeTryConversion for one string about to be stored. */
  checkLength(limits: EncodingLimits, s: string): void {
    if (!this.hashtable && s.length > limits.hashMaxListpackValue) this.hashtable = true;
  }

  /** Sets a field; true when it is new. Converts past the entries limit. */
  set(limits: EncodingLimits, field: string, value: string): boolean {
    if (!this.hashtable && (field.length > limits.hashMaxListpackValue || value.length > limits.hashMaxListpackValue)) {
      this.hashtable = true;
    }
    const size = this.fields.size;
    this.fields.set(field, value);
    if (this.fields.size === size) return false;
    this.scanState.added(field);
    if (!this.hashtable && this.fields.size > limits.hashMaxListpackEntries) this.hashtable = true;
    return true;
  }

  delete(field: string): boolean {
    if (!this.fields.delete(field)) return false;
    this.scanState.removed(field);
    return true;
  }

  memoryUsage(): number {
    let n = 64;
    for (const [k, v] of this.fields) n += k.length + v.length + 32;
    return n;
  }

  clone(): RedisHash {
    const h = new RedisHash();
    h.hashtable = this.hashtable;
    for (const [k, v] of this.fields) h.fields.set(k, v);
    return h;
  }
}
