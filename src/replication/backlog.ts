/**
 * The replication backlog (replication.c's repl_backlog): the last `size` bytes of the
 * replication stream, so that a replica which lost its link can continue from its
 * offset (PSYNC ... +CONTINUE) instead of loading a whole new RDB.
 *
 * Offsets are those of the stream: the byte at offset `firstByteOffset` is the oldest
 * one kept, and `firstByteOffset + histlen - 1` is the master_repl_offset of the last
 * byte written. Stream bytes are latin1 strings (one char per byte), as everywhere in
 * lunakv.
 */
export class ReplicationBacklog {
  private buffer: Buffer;
  /** Where the next byte goes in the ring. */
  private head = 0;
  /** Bytes held (at most buffer.length). */
  histlen = 0;
  /** Stream offset of the oldest byte held (repl_backlog_first_byte_offset). */
  firstByteOffset: number;

  /** `nextOffset` is the offset the next byte written will have (master_repl_offset + 1). */
  constructor(size: number, nextOffset: number) {
    this.buffer = Buffer.alloc(Math.max(1, size));
    this.firstByteOffset = nextOffset;
  }

  get size(): number {
    return this.buffer.length;
  }

  /** Appends stream bytes; the oldest ones fall out when the ring is full. */
  append(bytes: string): void {
    const cap = this.buffer.length;
    let data = bytes;
    if (data.length > cap) {
      // Only the last `cap` bytes can be kept.
      this.firstByteOffset += this.histlen + (data.length - cap);
      this.histlen = 0;
      this.head = 0;
      data = data.slice(data.length - cap);
    }
    let written = 0;
    while (written < data.length) {
      const n = Math.min(cap - this.head, data.length - written);
      this.buffer.write(data.slice(written, written + n), this.head, n, 'latin1');
      this.head = (this.head + n) % cap;
      written += n;
    }
    const total = this.histlen + data.length;
    if (total > cap) {
      this.firstByteOffset += total - cap;
      this.histlen = cap;
    } else {
      this.histlen = total;
    }
  }

  /** True if the stream from `offset` on (up to the end) is all held. */
  covers(offset: number): boolean {
    return offset >= this.firstByteOffset && offset <= this.firstByteOffset + this.histlen;
  }

  /** The bytes from stream offset `offset` to the end (addReplyReplicationBacklog). */
  from(offset: number): string {
    const skip = offset - this.firstByteOffset;
    const len = this.histlen - skip;
    if (len <= 0) return '';
    const cap = this.buffer.length;
    const start = (this.head - this.histlen + skip + cap * 2) % cap;
    if (start + len <= cap) return this.buffer.toString('latin1', start, start + len);
    return this.buffer.toString('latin1', start, cap) + this.buffer.toString('latin1', 0, len - (cap - start));
  }

  /** resizeReplicationBacklog: keeps the newest bytes that fit. */
  resize(size: number): void {
    if (size === this.buffer.length) return;
    const keep = this.from(this.firstByteOffset);
    const next = this.firstByteOffset + this.histlen;
    this.buffer = Buffer.alloc(Math.max(1, size));
    this.head = 0;
    this.histlen = 0;
    this.firstByteOffset = next - keep.length;
    this.append(keep);
  }
}
