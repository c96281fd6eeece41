/**
 * HSCAN/SSCAN/ZSCAN over a collection in its "big" encoding. Redis walks its hash table
 * with a reverse-binary cursor so that elements present for the whole scan are returned
 * even when the table grows or shrinks between calls; the keyspace's ScanIndex gives
 * the same guarantee, so collections keep one, built on the first scan and maintained
 * on every later add/remove (writes stay cheap for collections never scanned).
 */
import { ScanIndex } from '../scan-index.js';

export class ElementScan {
  private index: ScanIndex | null = null;

  /** Call after a new element is added. */
  added(element: string): void {
    if (this.index) this.index.add(element);
  }

  /** Call after an element is removed. */
  removed(element: string): void {
    if (this.index) this.index.remove(element);
  }

  reset(): void {
    this.index = null;
  }

  scan(all: () => Iterable<string>, cursor: number, count: number): { next: number; keys: string[] } {
    if (!this.index) this.index = ScanIndex.build(all());
    return this.index.scan(cursor, count);
  }
}
