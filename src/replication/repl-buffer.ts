/**
 * The replication buffer (Redis 7's shared replication buffer: replication.c's
 * repl_buffer_blocks and repl_backlog). One list of blocks holds the replication stream
 * once, for the backlog and for every replica: a replica is a reader at a stream offset,
 * and a block stays while the backlog needs it or a reader has not sent it yet.
 *
 * - The backlog is the list itself: `firstByteOffset` is the offset of the first byte of
 *   the first block, `histlen` the bytes held. Blocks are trimmed from the head while the
 *   backlog is over `repl-backlog-size` by more than the first block, unless a reader
 *   still needs the first block: a slow replica makes the backlog outgrow its setting,
 *   and other replicas can then partially resync from that longer history (as Redis).
 * - A block holds at least 16 KB (PROTO_REPLY_CHUNK_BYTES) and at most a sixteenth of
 *   the backlog size, so that a big write does not pin one huge block.
 * - A replica's memory (its output buffer, for client-output-buffer-limit and INFO) is
 *   what it holds: from the start of its block to the end of the last one.
 *
 * Offsets are those of the stream; stream bytes come in as latin1 strings (one char per
 * byte, as everywhere in lunakv) and go out as views of the blocks, without copies.
 */

/** PROTO_REPLY_CHUNK_BYTES: the smallest block. */
const MIN_BLOCK = 16 * 1024;

/** What Redis counts per block besides its bytes (replBufBlock header and list node). */
export const BLOCK_OVERHEAD = 64;

interface Block {
  /** The stream offset of the block's first byte. */
  readonly start: number;
  readonly data: Buffer;
  used: number;
}

/** A consumer of the stream: the offset of the next byte it will send. */
export interface StreamReader {
  next: number;
}

export class ReplicationBuffer {
  private readonly blocks: Block[] = [];
  private readonly readers = new Set<StreamReader>();
  /** Bytes held (repl_backlog->histlen). */
  histlen = 0;
  /** Stream offset of the oldest byte held (repl_backlog_first_byte_offset). */
  firstByteOffset: number;
  /** mem_total_replication_buffers: the blocks' bytes and bookkeeping. */
  memory = 0;

  /** `nextOffset` is the offset the next byte appended will have (master_repl_offset + 1). */
  constructor(
    private limit: number,
    nextOffset: number,
  ) {
    this.firstByteOffset = nextOffset;
  }

  /** repl-backlog-size. */
  get size(): number {
    return this.limit;
  }

  /** The offset the next byte appended will have. */
  get endOffset(): number {
    return this.firstByteOffset + this.histlen;
  }

  private last(): Block | undefined {
    return this.blocks[this.blocks.length - 1];
  }

  /**
   * feedReplicationBuffer: appends stream bytes, filling the last block first. Returns
   * true if a new block was added (Redis checks the replicas' limits and trims then).
   */
  append(bytes: string): boolean {
    let written = 0;
    let added = false;
    const tail = this.last();
    if (tail !== undefined && tail.used < tail.data.length) {
      const n = Math.min(tail.data.length - tail.used, bytes.length);
      tail.data.write(bytes, tail.used, n, 'latin1');
      tail.used += n;
      written = n;
    }
    const maxBlock = Math.max(Math.floor(this.limit / 16), MIN_BLOCK);
    while (written < bytes.length) {
      const left = bytes.length - written;
      const size = Math.min(Math.max(left, MIN_BLOCK), maxBlock);
      const block: Block = { start: this.firstByteOffset + this.histlen + written, data: Buffer.allocUnsafe(size), used: 0 };
      const n = Math.min(size, left);
      block.data.write(written === 0 ? bytes : bytes.slice(written, written + n), 0, n, 'latin1');
      block.used = n;
      written += n;
      this.blocks.push(block);
      this.memory += size + BLOCK_OVERHEAD;
      added = true;
    }
    this.histlen += bytes.length;
    if (added) this.trim();
    return added;
  }

  /** True if the stream from `offset` on (up to the end) is all held. */
  covers(offset: number): boolean {
    return offset >= this.firstByteOffset && offset <= this.endOffset;
  }

  /** The index in `blocks` of the block holding `offset` (the last block for the end). */
  private indexOf(offset: number): number {
    let lo = 0;
    let hi = this.blocks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.blocks[mid]!.start <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** Up to `max` bytes from `offset` as a view of one block (empty at the end). */
  chunkAt(offset: number, max: number): Buffer {
    if (offset >= this.endOffset || this.blocks.length === 0) return Buffer.alloc(0);
    const block = this.blocks[this.indexOf(offset)]!;
    const from = offset - block.start;
    return block.data.subarray(from, Math.min(block.used, from + max));
  }

  /** The bytes from stream offset `offset` to the end, as a string (tests, small reads). */
  from(offset: number): string {
    let out = '';
    for (let at = offset; at < this.endOffset; ) {
      const chunk = this.chunkAt(at, Number.MAX_SAFE_INTEGER);
      out += chunk.toString('latin1');
      at += chunk.length;
    }
    return out;
  }

  /** A reader from `offset` on (which must be covered). */
  attach(reader: StreamReader): void {
    this.readers.add(reader);
  }

  /** The reader is gone: blocks only it held can go. */
  detach(reader: StreamReader): void {
    if (this.readers.delete(reader)) this.trim();
  }

  /** The reader sent its bytes up to `reader.next`: blocks behind it may go. */
  advanced(): void {
    this.trim();
  }

  /**
   * getClientOutputBufferMemoryUsage for a replica: from the start of the block it is in
   * to the end of the last block, with each block's bookkeeping. 0 before it holds any.
   */
  heldBy(reader: StreamReader): number {
    const last = this.last();
    if (last === undefined || reader.next > this.endOffset) return 0;
    const i = this.indexOf(reader.next);
    const block = this.blocks[i]!;
    return last.start + last.data.length - block.start + BLOCK_OVERHEAD * (this.blocks.length - i);
  }

  /** incrementalTrimReplicationBacklog, to the end. */
  private trim(): void {
    let dropped = 0;
    while (this.histlen > this.limit && this.blocks.length - dropped > 1) {
      const first = this.blocks[dropped]!;
      // The backlog never gets smaller than its setting by dropping a block.
      if (this.histlen - first.used <= this.limit) break;
      const end = first.start + first.used;
      let needed = false;
      for (const reader of this.readers) {
        if (reader.next < end) {
          needed = true;
          break;
        }
      }
      if (needed) break;
      dropped++;
      this.histlen -= first.used;
      this.memory -= first.data.length + BLOCK_OVERHEAD;
      this.firstByteOffset = end;
    }
    if (dropped !== 0) this.blocks.splice(0, dropped);
  }

  /** CONFIG SET repl-backlog-size: the new size applies as blocks are trimmed. */
  resize(limit: number): void {
    this.limit = limit;
    this.trim();
  }
}
