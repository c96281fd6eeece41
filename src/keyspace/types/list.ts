/**
 * A Redis list: a ring-buffer deque, so pushes and pops at both ends are O(1) and
 * indexing is O(1). Redis 7.0 always reports the "quicklist" encoding for lists.
 */
import type { CollectionValue } from '../value.js';

export class RedisList implements CollectionValue {
  readonly type = 'list' as const;
  private buf: (string | undefined)[] = new Array(8);
  private head = 0;
  private len = 0;

  encoding(): string {
    return 'quicklist';
  }

  get length(): number {
    return this.len;
  }

  isEmpty(): boolean {
    return this.len === 0;
  }

  private grow(): void {
    const old = this.buf;
    const cap = old.length;
    // Filled by push, not new Array(n): past ~100k slots V8 would make a preallocated
    // array a slow dictionary-mode one.
    const next: (string | undefined)[] = [];
    for (let i = 0; i < this.len; i++) next.push(old[(this.head + i) & (cap - 1)]);
    for (let i = this.len; i < cap * 2; i++) next.push(undefined);
    this.buf = next;
    this.head = 0;
  }

  get(index: number): string {
    return this.buf[(this.head + index) & (this.buf.length - 1)]!;
  }

  setAt(index: number, value: string): void {
    this.buf[(this.head + index) & (this.buf.length - 1)] = value;
  }

  pushTail(value: string): void {
    if (this.len === this.buf.length) this.grow();
    this.buf[(this.head + this.len) & (this.buf.length - 1)] = value;
    this.len++;
  }

  pushHead(value: string): void {
    if (this.len === this.buf.length) this.grow();
    this.head = (this.head - 1) & (this.buf.length - 1);
    this.buf[this.head] = value;
    this.len++;
  }

  popHead(): string | undefined {
    if (this.len === 0) return undefined;
    const v = this.buf[this.head];
    this.buf[this.head] = undefined;
    this.head = (this.head + 1) & (this.buf.length - 1);
    this.len--;
    return v;
  }

  popTail(): string | undefined {
    if (this.len === 0) return undefined;
    const i = (this.head + this.len - 1) & (this.buf.length - 1);
    const v = this.buf[i];
    this.buf[i] = undefined;
    this.len--;
    return v;
  }

  /** Elements [start, end] (inclusive, already clamped). */
  range(start: number, end: number): string[] {
    const out: string[] = [];
    for (let i = start; i <= end; i++) out.push(this.get(i));
    return out;
  }

  toArray(): string[] {
    return this.range(0, this.len - 1);
  }

  /** Replaces the contents (used by the O(n) middle operations: LINSERT, LREM, LTRIM). */
  replaceAll(items: string[]): void {
    let cap = 8;
    while (cap < items.length) cap *= 2;
    this.buf = new Array(cap);
    for (let i = 0; i < items.length; i++) this.buf[i] = items[i];
    this.head = 0;
    this.len = items.length;
  }

  /** Inserts before position `index` (0..length). */
  insertAt(index: number, value: string): void {
    const items = this.toArray();
    items.splice(index, 0, value);
    this.replaceAll(items);
  }

  memoryUsage(): number {
    let n = 64;
    for (let i = 0; i < this.len; i++) n += this.get(i).length + 16;
    return n;
  }

  clone(): RedisList {
    const l = new RedisList();
    l.replaceAll(this.toArray());
    return l;
  }
}
