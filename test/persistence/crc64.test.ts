import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Crc64, crc64 } from '../../src/persistence/crc64.js';

/** Bit-at-a-time reference straight from the definition (reflected, init 0, xorout 0). */
function referenceCrc64(bytes: Uint8Array): bigint {
  const reflectedPoly = 0x95ac9329ac4bc9b5n;
  let crc = 0n;
  for (const byte of bytes) {
    crc ^= BigInt(byte);
    for (let bit = 0; bit < 8; bit++) crc = crc & 1n ? (crc >> 1n) ^ reflectedPoly : crc >> 1n;
  }
  return crc;
}

const LOREM =
  'Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore ' +
  'et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi ut ' +
  'aliquip ex ea commodo consequat. Duis aute irure dolor in reprehenderit in voluptate velit esse cillum ' +
  'dolore eu fugiat nulla pariatur. Excepteur sint occaecat cupidatat non proident, sunt in culpa qui ' +
  'officia deserunt mollit anim id est laborum.';

test('crc64 check values from crc64.c and SPEC.md', () => {
  assert.equal(crc64(Buffer.from('123456789')), 0xe9c6d914c4b8d9can);
  // crc64.c checks sizeof(li), which includes the terminating NUL.
  assert.equal(crc64(Buffer.from(LOREM + '\0', 'latin1')), 0xc7794709e69683b3n);
  assert.equal(crc64(Buffer.from([0x0a, 0x00])), 0xdaa27f0f405c9b5dn);
  assert.equal(crc64(Buffer.alloc(0)), 0n);
});

test('crc64 matches the bit-at-a-time definition for every length 0..300', () => {
  const data = randomBytes(300);
  for (let length = 0; length <= 300; length++) {
    const slice = data.subarray(0, length);
    assert.equal(crc64(slice), referenceCrc64(slice), `length ${length}`);
  }
});

test('crc64 honours start/end and unaligned offsets', () => {
  const data = randomBytes(1000);
  for (const [start, end] of [[1, 999], [3, 17], [7, 8], [500, 500], [13, 1000]] as const) {
    assert.equal(crc64(data, start, end), referenceCrc64(data.subarray(start, end)));
  }
});

test('incremental updates in arbitrary chunks equal one pass', () => {
  const data = randomBytes(10_000);
  const expected = crc64(data);
  for (let trial = 0; trial < 20; trial++) {
    const state = new Crc64();
    let position = 0;
    while (position < data.length) {
      const next = Math.min(data.length, position + Math.floor(Math.random() * 40));
      state.update(data, position, next);
      position = next;
    }
    assert.equal(state.digest(), expected);
  }
  // A seed continues a previous computation.
  const firstHalf = crc64(data, 0, 4321);
  assert.equal(new Crc64(firstHalf).update(data, 4321).digest(), expected);
});

test('writeLE / matchesLE store the checksum little-endian', () => {
  const state = new Crc64().update(Buffer.from('123456789'));
  const out = Buffer.alloc(10);
  state.writeLE(out, 1);
  assert.equal(out.subarray(1, 9).toString('hex'), 'cad9b8c414d9c6e9');
  assert.ok(state.matchesLE(out, 1));
  out[8] ^= 1;
  assert.ok(!state.matchesLE(out, 1));
});
