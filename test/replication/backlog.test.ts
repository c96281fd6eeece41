/**
 * The shared replication buffer against a plain string model: random appends of every
 * size, readers that lag and catch up, and resizes. Whatever the buffer holds must be
 * exactly the model's bytes at their offsets; it may drop bytes only as Redis's
 * incrementalTrimReplicationBacklog does (never what a reader has not sent, never below
 * the backlog size by dropping a block).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ReplicationBuffer, type StreamReader } from '../../src/replication/repl-buffer.js';

/** A deterministic pseudo-random generator (the test must fail the same way twice). */
function prng(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    return x / 0x7fffffff;
  };
}

function randomBytes(random: () => number, n: number): string {
  let chunk = '';
  for (let i = 0; i < n; i++) chunk += String.fromCharCode(Math.floor(random() * 256));
  return chunk;
}

test('the buffer holds the stream at its offsets and trims only what nobody needs', () => {
  const random = prng(7);
  for (const size of [1, 1000, 40_000, 300_000]) {
    const start = Math.floor(random() * 1000);
    const buffer = new ReplicationBuffer(size, start + 1);
    let stream = ''; // every byte after offset `start`
    const readers: StreamReader[] = [];
    for (let step = 0; step < 200; step++) {
      const n = Math.floor(random() * Math.min(size, 50_000) * 2.5);
      const chunk = randomBytes(random, n);
      buffer.append(chunk);
      stream += chunk;
      const end = start + 1 + stream.length;
      assert.equal(buffer.endOffset, end);
      assert.equal(buffer.histlen, end - buffer.firstByteOffset);
      // What is held is the model's tail, read from any offset in it.
      const from = buffer.firstByteOffset + Math.floor(random() * (buffer.histlen + 1));
      assert.ok(buffer.covers(from));
      assert.equal(buffer.from(from), stream.slice(from - start - 1));
      assert.equal(buffer.covers(buffer.firstByteOffset - 1), false, 'bytes before the oldest held are not covered');
      // Trimmed to the setting, give or take one block, unless a reader holds more.
      const lagging = readers.length === 0 ? Infinity : Math.min(...readers.map((r) => r.next));
      assert.ok(lagging >= buffer.firstByteOffset, 'a reader never loses bytes it has not sent');
      if (lagging === Infinity || lagging >= end) {
        assert.ok(buffer.histlen <= size + Math.max(16 * 1024, Math.floor(size / 16)) + n, `histlen ${buffer.histlen} for size ${size}`);
      }
      if (stream.length >= size) assert.ok(buffer.histlen >= Math.min(size, stream.length), 'never below the backlog size');
      // Readers come, lag, catch up and go.
      const r = random();
      if (r < 0.2) {
        const reader = { next: end };
        buffer.attach(reader);
        readers.push(reader);
      } else if (r < 0.5 && readers.length !== 0) {
        const reader = readers[Math.floor(random() * readers.length)]!;
        const chunkSeen = buffer.chunkAt(reader.next, 1 + Math.floor(random() * 100_000));
        assert.equal(chunkSeen.toString('latin1'), stream.slice(reader.next - start - 1, reader.next - start - 1 + chunkSeen.length));
        reader.next += chunkSeen.length;
        assert.ok(buffer.heldBy(reader) >= end - reader.next, 'a reader holds at least what it has not sent');
        buffer.advanced();
      } else if (r < 0.6 && readers.length !== 0) {
        buffer.detach(readers.splice(Math.floor(random() * readers.length), 1)[0]!);
      }
      if (step % 50 === 49) buffer.resize(Math.max(1, Math.floor(size * (0.5 + random()))));
    }
    for (const reader of readers.splice(0)) buffer.detach(reader);
    assert.ok(!buffer.covers(buffer.endOffset + 1), 'an offset past the end is not covered');
    assert.ok(buffer.memory > 0);
  }
});

test('a lagging reader makes the backlog outgrow its size; it shrinks when the reader goes', () => {
  const buffer = new ReplicationBuffer(16 * 1024, 1);
  const slow = { next: 1 };
  buffer.attach(slow);
  for (let i = 0; i < 100; i++) buffer.append('x'.repeat(10_000));
  assert.equal(buffer.histlen, 1_000_000, 'all of it is kept for the slow reader');
  assert.ok(buffer.memory >= 1_000_000);
  assert.ok(buffer.heldBy(slow) >= 1_000_000);
  buffer.detach(slow);
  assert.ok(buffer.histlen <= 16 * 1024 * 2, `trimmed to about the setting: ${buffer.histlen}`);
  assert.ok(buffer.memory < 100_000);
  assert.equal(buffer.from(buffer.firstByteOffset), 'x'.repeat(buffer.histlen));
});
