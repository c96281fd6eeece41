import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  LZF_ERROR_CORRUPT,
  LZF_ERROR_OUTPUT_TOO_BIG,
  lzfCompress,
  lzfDecompress,
} from '../../src/persistence/lzf.js';

/** Compresses with generous room; returns the stream (throws if the compressor gave up). */
function compress(input: Uint8Array): Buffer {
  const out = Buffer.alloc(input.length + Math.ceil(input.length / 32) + 16);
  const length = lzfCompress(input, 0, input.length, out, 0, out.length);
  assert.ok(length > 0, 'compressor produced output');
  return out.subarray(0, length);
}

function decompress(stream: Uint8Array, expectedLength: number): Buffer {
  const out = Buffer.alloc(expectedLength);
  const produced = lzfDecompress(stream, 0, stream.length, out, 0, expectedLength);
  assert.equal(produced, expectedLength);
  return out;
}

function repetitive(length: number): Buffer {
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i++) out[i] = 'abcabcabd'.charCodeAt(i % 9);
  return out;
}

function textLike(length: number): Buffer {
  const words = ['redis', 'function', 'local', 'return', 'end', 'keys', 'args', '(', ')', '\n', ' ', 'x'];
  const parts: string[] = [];
  let total = 0;
  while (total < length) {
    const word = words[Math.floor(Math.random() * words.length)]!;
    parts.push(word);
    total += word.length;
  }
  return Buffer.from(parts.join('').slice(0, length), 'latin1');
}

test('round trip: incompressible, highly repetitive, text-like and tiny inputs', () => {
  const inputs: Buffer[] = [
    Buffer.from('a'),
    Buffer.from('ab'),
    Buffer.from('abc'),
    Buffer.alloc(1, 0),
    Buffer.alloc(100_000, 0x61),
    repetitive(70_000),
    randomBytes(100_000),
  ];
  for (let size = 1; size < 600; size += 7) {
    inputs.push(randomBytes(size), textLike(size), repetitive(size));
  }
  for (const input of inputs) {
    const stream = compress(input);
    assert.deepEqual(decompress(stream, input.length), input);
  }
});

test('repetitive input actually compresses, random input does not fit in len-4', () => {
  const same = Buffer.alloc(10_000, 0x7a);
  const stream = compress(same);
  // A run of one byte: a literal, then back-references of up to 264 bytes each.
  assert.ok(stream.length < 200, `compressed to ${stream.length}`);

  const noise = randomBytes(5000);
  const out = Buffer.alloc(noise.length);
  assert.equal(lzfCompress(noise, 0, noise.length, out, 0, noise.length - 4), 0);
});

test('compressor never writes outside the output window it was given', () => {
  for (let trial = 0; trial < 300; trial++) {
    const input = trial % 2 ? textLike(20 + trial) : randomBytes(20 + trial);
    const limit = Math.max(1, Math.floor(input.length * Math.random()));
    const out = Buffer.alloc(limit + 40, 0xee);
    const length = lzfCompress(input, 0, input.length, out, 20, limit);
    assert.ok(length <= limit);
    for (let i = 0; i < 20; i++) assert.equal(out[i], 0xee, 'guard before the window');
    for (let i = 20 + limit; i < out.length; i++) assert.equal(out[i], 0xee, 'guard after the window');
    if (length > 0) {
      assert.deepEqual(decompress(out.subarray(20, 20 + length), input.length), input);
    }
  }
});

test('compressing a sub-range of a larger buffer equals compressing a copy of it', () => {
  const big = textLike(5000);
  const range = big.subarray(1234, 3456);
  const fromRange = Buffer.alloc(4000);
  const fromCopy = Buffer.alloc(4000);
  const a = lzfCompress(big, 1234, 3456, fromRange, 0, 4000);
  const b = lzfCompress(Buffer.from(range), 0, range.length, fromCopy, 0, 4000);
  assert.ok(a > 0);
  assert.deepEqual(fromRange.subarray(0, a), fromCopy.subarray(0, b));
});

test('compressor returns 0 for empty input or no output room', () => {
  const out = Buffer.alloc(10);
  assert.equal(lzfCompress(Buffer.alloc(0), 0, 0, out, 0, 10), 0);
  assert.equal(lzfCompress(Buffer.from('abc'), 0, 3, out, 0, 0), 0);
});

test('decompressor rejects corrupt streams with the right error', () => {
  const out = Buffer.alloc(64);
  const run = (bytes: number[], outLen = 64): number => lzfDecompress(Buffer.from(bytes), 0, bytes.length, out, 0, outLen);

  assert.equal(run([0x05, 0x61, 0x62]), LZF_ERROR_CORRUPT, 'literal run longer than the input');
  assert.equal(run([0x03, 1, 2, 3, 4], 3), LZF_ERROR_OUTPUT_TOO_BIG, 'literal run beyond the output');
  assert.equal(run([0x00, 0x61, 0x20]), LZF_ERROR_CORRUPT, 'back-reference without its distance byte');
  assert.equal(run([0x00, 0x61, 0xe0, 0x05]), LZF_ERROR_CORRUPT, 'long back-reference missing its distance');
  assert.equal(run([0x00, 0x61, 0xe0]), LZF_ERROR_CORRUPT, 'long back-reference missing its length');
  assert.equal(run([0x00, 0x61, 0x20, 0x01]), LZF_ERROR_CORRUPT, 'reference before the output start');
  assert.equal(run([0x20, 0x00]), LZF_ERROR_CORRUPT, 'reference with no output yet');
  assert.equal(run([0x00, 0x61, 0x20, 0x00], 3), LZF_ERROR_OUTPUT_TOO_BIG, 'reference beyond the output');
  // Valid: one literal then an overlapping reference (distance 1) = run-length "aaaa".
  assert.equal(run([0x00, 0x61, 0x20, 0x00]), 4);
  assert.equal(out.subarray(0, 4).toString(), 'aaaa');
  assert.equal(run([]), 0);
});

test('decompressor treats the output window as absolute: no reads before outStart', () => {
  const out = Buffer.alloc(20, 0x41);
  // A reference of distance 1 at the very start of a window that begins at 10.
  assert.equal(lzfDecompress(Buffer.from([0x20, 0x00]), 0, 2, out, 10, 10), LZF_ERROR_CORRUPT);
});

test('every truncation of a valid stream fails to produce the full length', () => {
  const input = textLike(3000);
  const stream = compress(input);
  const out = Buffer.alloc(input.length);
  for (let cut = 0; cut < stream.length; cut++) {
    assert.notEqual(lzfDecompress(stream, 0, cut, out, 0, input.length), input.length, `cut ${cut}`);
  }
});

test('random garbage never throws and never writes outside the window', () => {
  const out = Buffer.alloc(600);
  for (let trial = 0; trial < 3000; trial++) {
    const garbage = randomBytes(1 + (trial % 200));
    out.fill(0xcc);
    const windowLength = trial % 300;
    const result = lzfDecompress(garbage, 0, garbage.length, out, 100, windowLength);
    assert.ok(result === LZF_ERROR_CORRUPT || result === LZF_ERROR_OUTPUT_TOO_BIG || (result >= 0 && result <= windowLength));
    for (let i = 0; i < 100; i++) assert.equal(out[i], 0xcc);
    for (let i = 100 + windowLength; i < out.length; i++) assert.equal(out[i], 0xcc);
  }
});
