/**
 * A Redis stream: entries ordered by ID, consumer groups with their pending entries
 * lists (PEL) and consumers. IDs are 128-bit (ms, seq) pairs held as one bigint
 * (ms << 64 | seq) so they compare natively.
 *
 * Redis packs entries into listpack nodes of at most stream-node-max-entries; approximate
 * trimming ("~") only drops whole nodes, so we remember each entry's node to trim the
 * same entries Redis trims (node byte limits are not modelled).
 */
import type { CollectionValue } from '../value.js';

export type StreamId = bigint;

export const SEQ_MASK = (1n << 64n) - 1n;
export const MAX_ID: StreamId = (SEQ_MASK << 64n) | SEQ_MASK;

export function makeId(ms: bigint, seq: bigint): StreamId {
  return (ms << 64n) | seq;
}

export function idMs(id: StreamId): bigint {
  return id >> 64n;
}

export function idSeq(id: StreamId): bigint {
  return id & SEQ_MASK;
}

export function formatId(id: StreamId): string {
  return `${id >> 64n}-${id & SEQ_MASK}`;
}

export interface StreamEntry {
  readonly id: StreamId;
  readonly fields: string[];
  /** The listpack node this entry was appended to. */
  readonly node: number;
}

export interface PendingEntry {
  readonly id: StreamId;
  consumer: Consumer;
  deliveryTime: number;
  deliveryCount: number;
}

export interface Consumer {
  readonly name: string;
  seenTime: number;
  readonly pending: Map<StreamId, PendingEntry>;
}

export interface ConsumerGroup {
  readonly name: string;
  lastId: StreamId;
  /** entries_read; -1 when unknown (SCG_INVALID_ENTRIES_READ). */
  entriesRead: number;
  readonly pending: Map<StreamId, PendingEntry>;
  readonly consumers: Map<string, Consumer>;
}

/** Map values sorted by key (the order Redis's radix trees give). */
export function sortedById<T>(m: Map<StreamId, T>): T[] {
  return [...m.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map((e) => e[1]);
}

export class RedisStream implements CollectionValue {
  readonly type = 'stream' as const;
  /** Live entries, ascending by ID. */
  entries: StreamEntry[] = [];
  lastId: StreamId = 0n;
  maxDeletedId: StreamId = 0n;
  entriesAdded = 0;
  readonly groups = new Map<string, ConsumerGroup>();
  /** Live entries per node, and how many entries the newest node has received. */
  private readonly nodeLive = new Map<number, number>();
  /** Each node's master ID (its radix-tree key): the first ID appended to it, even once deleted. */
  private readonly nodeMaster = new Map<number, StreamId>();
  private lastNode = -1;
  private lastNodeFill = 0;

  encoding(): string {
    return 'stream';
  }

  get length(): number {
    return this.entries.length;
  }

  /** Streams are never deleted for being empty. */
  isEmpty(): boolean {
    return false;
  }

  /** recorded-first-entry-id: the first live ID, 0-0 when empty. */
  get firstId(): StreamId {
    return this.entries.length ? this.entries[0].id : 0n;
  }

  /**
   * streamGetEdgeID(s, first, skip_tombstones = 0): the first ID in the first node,
   * deleted or not, which is that node's master ID; the maximal ID when there is no node.
   */
  get firstEdgeId(): StreamId {
    let first = -1;
    for (const node of this.nodeLive.keys()) if (first < 0 || node < first) first = node;
    return first < 0 ? MAX_ID : (this.nodeMaster.get(first) ?? MAX_ID);
  }

  /** Number of listpack nodes (XINFO radix-tree-keys). */
  get nodeCount(): number {
    return this.nodeLive.size;
  }

  append(id: StreamId, fields: string[], nodeMaxEntries: number): void {
    if (this.lastNode < 0 || (nodeMaxEntries > 0 && this.lastNodeFill >= nodeMaxEntries)) {
      this.lastNode++;
      this.lastNodeFill = 0;
      this.nodeMaster.set(this.lastNode, id);
    }
    this.lastNodeFill++;
    this.nodeLive.set(this.lastNode, (this.nodeLive.get(this.lastNode) ?? 0) + 1);
    this.entries.push({ id, fields, node: this.lastNode });
    this.lastId = id;
    this.entriesAdded++;
  }

  /**
   * Loading (RDB, RESTORE): appends one listpack node's live entries, ascending and after
   * every entry already present. `filled` is how many entries the node received
   * (live + deleted), which decides whether the next XADD still goes into it.
   */
  loadNode(master: StreamId, entries: readonly { id: StreamId; fields: string[] }[], filled: number): void {
    const node = ++this.lastNode;
    this.lastNodeFill = filled;
    this.nodeMaster.set(node, master);
    this.nodeLive.set(node, entries.length);
    for (const e of entries) this.entries.push({ id: e.id, fields: e.fields, node });
  }

  /** Listpack nodes in ID order with their master ID and live entries, for saving (RDB, DUMP). */
  *nodes(): Generator<{ master: StreamId; entries: StreamEntry[] }> {
    let i = 0;
    while (i < this.entries.length) {
      const node = this.entries[i].node;
      let j = i + 1;
      while (j < this.entries.length && this.entries[j].node === node) j++;
      yield { master: this.nodeMaster.get(node) ?? this.entries[i].id, entries: this.entries.slice(i, j) };
      i = j;
    }
  }

  /**
   * XINFO's radix-tree-nodes: the nodes of a rax holding the node keys (16-byte
   * big-endian master IDs). A rax has one node per branching point and one per chain of
   * single-child bytes, plus the leaves.
   */
  get radixTreeNodes(): number {
    const keys: Buffer[] = [];
    for (const node of [...this.nodeLive.keys()].sort((a, b) => a - b)) {
      const id = this.nodeMaster.get(node);
      if (id === undefined) continue;
      const key = Buffer.allocUnsafe(16);
      key.writeBigUInt64BE(id >> 64n, 0);
      key.writeBigUInt64BE(id & SEQ_MASK, 8);
      keys.push(key);
    }
    if (keys.length === 0) return 1;
    const count = (lo: number, hi: number, depth: number): number => {
      if (hi - lo === 1) return depth === 16 ? 1 : 2;
      let shared = 0;
      while (keys[lo][depth + shared] === keys[hi - 1][depth + shared]) shared++;
      let n = shared > 0 ? 2 : 1; // the chain of shared bytes, then the branching node
      const at = depth + shared;
      for (let i = lo; i < hi; ) {
        let j = i + 1;
        while (j < hi && keys[j][at] === keys[i][at]) j++;
        n += count(i, j, at + 1);
        i = j;
      }
      return n;
    };
    return count(0, keys.length, 0);
  }

  /** Index of the first entry with id >= `id`. */
  lowerBound(id: StreamId): number {
    let lo = 0;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.entries[mid].id < id) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  find(id: StreamId): StreamEntry | undefined {
    const i = this.lowerBound(id);
    const e = this.entries[i];
    return e !== undefined && e.id === id ? e : undefined;
  }

  private dropNodeEntry(e: StreamEntry): void {
    const live = (this.nodeLive.get(e.node) ?? 1) - 1;
    // The newest node stays (Redis keeps appending to it) even when emptied by XDEL.
    if (live === 0 && e.node !== this.lastNode) {
      this.nodeLive.delete(e.node);
      this.nodeMaster.delete(e.node);
    }
    else this.nodeLive.set(e.node, live);
  }

  /** XDEL of one ID; true when it existed. */
  delete(id: StreamId): boolean {
    const i = this.lowerBound(id);
    const e = this.entries[i];
    if (e === undefined || e.id !== id) return false;
    this.entries.splice(i, 1);
    this.dropNodeEntry(e);
    if (id > this.maxDeletedId) this.maxDeletedId = id;
    if (this.entries.length === 0) this.resetNodes();
    return true;
  }

  private resetNodes(): void {
    this.nodeLive.clear();
    this.nodeMaster.clear();
    this.lastNode = -1;
    this.lastNodeFill = 0;
  }

  /**
   * Trims from the head. `maxLen` (or `minId`) is the strategy; approximate trimming
   * removes whole nodes only, at most `limit` entries (0 = no limit). Returns the count.
   */
  trim(strategy: { maxLen?: number; minId?: StreamId }, approx: boolean, limit: number): number {
    let removed = 0;
    const shouldRemove = (e: StreamEntry, remaining: number) =>
      strategy.maxLen !== undefined ? remaining > strategy.maxLen : e.id < strategy.minId!;
    if (!approx) {
      const len = this.entries.length;
      while (removed < len && shouldRemove(this.entries[removed], len - removed)) removed++;
    } else {
      // Whole nodes, oldest first, while the node can go entirely.
      let i = 0;
      while (i < this.entries.length) {
        const node = this.entries[i].node;
        let j = i;
        while (j < this.entries.length && this.entries[j].node === node) j++;
        const nodeEntries = j - i;
        if (strategy.maxLen !== undefined) {
          if (this.entries.length - removed - nodeEntries < strategy.maxLen) break;
        } else if (this.entries[j - 1].id >= strategy.minId!) break;
        if (limit && removed + nodeEntries > limit) break;
        removed += nodeEntries;
        i = j;
      }
    }
    if (removed === 0) return 0;
    const gone = this.entries.splice(0, removed);
    for (const e of gone) this.dropNodeEntry(e);
    if (this.entries.length === 0) this.resetNodes();
    return removed;
  }

  /** streamRangeHasTombstones(start, end). */
  rangeHasTombstones(start: StreamId, end: StreamId = MAX_ID): boolean {
    if (this.entries.length === 0 || this.maxDeletedId === 0n) return false;
    if (this.firstId > this.maxDeletedId) return false;
    return start <= this.maxDeletedId && this.maxDeletedId <= end;
  }

  /** streamEstimateDistanceFromFirstEverEntry; -1 when it cannot be known. */
  estimateDistance(id: StreamId): number {
    if (!this.entriesAdded) return 0;
    if (!this.entries.length && id <= this.lastId) return this.entriesAdded;
    if (id === this.lastId) return this.entriesAdded;
    if (id > this.lastId) return -1;
    const first = this.firstId;
    if (this.maxDeletedId === 0n || this.maxDeletedId < first) {
      if (id < first) return this.entriesAdded - this.entries.length;
      if (id === first) return this.entriesAdded - this.entries.length + 1;
    }
    return -1;
  }

  /** streamReplyWithCGLag: null when it cannot be known. */
  lag(group: ConsumerGroup): number | null {
    if (!this.entriesAdded) return 0;
    if (group.entriesRead !== -1 && !this.rangeHasTombstones(group.lastId)) return this.entriesAdded - group.entriesRead;
    const read = this.estimateDistance(group.lastId);
    return read === -1 ? null : this.entriesAdded - read;
  }

  memoryUsage(): number {
    let n = 128;
    for (const e of this.entries) for (const f of e.fields) n += f.length + 8;
    return n;
  }

  clone(): RedisStream {
    const s = new RedisStream();
    s.entries = this.entries.map((e) => ({ id: e.id, fields: e.fields.slice(), node: e.node }));
    s.lastId = this.lastId;
    s.maxDeletedId = this.maxDeletedId;
    s.entriesAdded = this.entriesAdded;
    for (const [k, v] of this.nodeLive) s.nodeLive.set(k, v);
    for (const [k, v] of this.nodeMaster) s.nodeMaster.set(k, v);
    s.lastNode = this.lastNode;
    s.lastNodeFill = this.lastNodeFill;
    for (const g of this.groups.values()) {
      const copy: ConsumerGroup = { name: g.name, lastId: g.lastId, entriesRead: g.entriesRead, pending: new Map(), consumers: new Map() };
      for (const c of g.consumers.values()) copy.consumers.set(c.name, { name: c.name, seenTime: c.seenTime, pending: new Map() });
      for (const p of g.pending.values()) {
        const owner = copy.consumers.get(p.consumer.name)!;
        const pe: PendingEntry = { id: p.id, consumer: owner, deliveryTime: p.deliveryTime, deliveryCount: p.deliveryCount };
        copy.pending.set(p.id, pe);
        owner.pending.set(p.id, pe);
      }
      s.groups.set(g.name, copy);
    }
    return s;
  }
}
