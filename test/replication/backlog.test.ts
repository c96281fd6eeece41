/**
 * The replication backlog's ring buffer against a plain string model: random appends of
 * every size (smaller and larger than the ring), reads from every covered offset, and
 * resizes, must give exactly the bytes the model's tail holds.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ReplicationBacklog } from '../../src/replication/backlog.js';

/** A deterministic pseudo-random generator (the test must fail the same way twice). */
function prng(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    return x / 0x7fffffff;
  };
}

test('the backlog holds the last `size` bytes of the stream at their offsets', () => {
  const random = prng(7);
  for (const size of [1, 7, 64, 1000]) {
    const start = Math.floor(random() * 1000);
    const backlog = new ReplicationBacklog(size, start + 1);
    let stream = ''; // every byte after offset `start`
    let held = 0; // how many of its last bytes the backlog must hold
    for (let step = 0; step < 300; step++) {
      const n = Math.floor(random() * size * 2.5);
      let chunk = '';
      for (let i = 0; i < n; i++) chunk += String.fromCharCode(Math.floor(random() * 256));
      backlog.append(chunk);
      stream += chunk;
      held = Math.min(held + n, backlog.size);
      assert.equal(backlog.histlen, held);
      assert.equal(backlog.firstByteOffset, start + 1 + stream.length - held);
      const from = backlog.firstByteOffset + Math.floor(random() * (held + 1));
      assert.ok(backlog.covers(from));
      assert.equal(backlog.from(from), stream.slice(from - start - 1));
      assert.equal(backlog.covers(backlog.firstByteOffset - 1), false, 'bytes before the oldest held are not covered');
      if (step % 50 === 49) {
        // A smaller ring keeps the newest bytes; growing it back keeps what is left.
        const resized = Math.max(1, Math.floor(size * (0.5 + random())));
        backlog.resize(resized);
        held = Math.min(held, resized);
        assert.equal(backlog.histlen, held);
        assert.equal(backlog.from(backlog.firstByteOffset), stream.slice(stream.length - held));
        backlog.resize(size);
        assert.equal(backlog.from(backlog.firstByteOffset), stream.slice(stream.length - held));
      }
    }
    assert.ok(!backlog.covers(backlog.firstByteOffset + backlog.histlen + 1), 'an offset past the end is not covered');
  }
});
