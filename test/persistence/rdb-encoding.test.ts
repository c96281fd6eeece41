import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  RdbFormatError,
  RdbReader,
  RdbWriter,
  encodedLengthSize,
  parseRdbEncodableInteger,
} from '../../src/persistence/rdb-encoding.js';

function hex(text: string): Buffer {
  return Buffer.from(text.replace(/\s+/g, ''), 'hex');
}

function encodeLengthHex(length: number): string {
  const writer = new RdbWriter(1);
  writer.writeLength(length);
  return writer.toBuffer().toString('hex');
}

function encodeStringHex(value: string | Buffer, compression = true): string {
  const writer = new RdbWriter();
  writer.writeString(value, { compression });
  return writer.toBuffer().toString('hex');
}

test('lengths use the shortest form, big-endian', () => {
  const cases: Array<[number, string]> = [
    [0, '00'],
    [63, '3f'],
    [64, '4040'],
    [91, '405b'],
    [16383, '7fff'],
    [16384, '8000004000'],
    [102480, '8000019050'],
    [0xffffffff, '80ffffffff'],
    [0x100000000, '810000000100000000'],
    [2 ** 53 - 1, '81001fffffffffffff'],
  ];
  for (const [length, expected] of cases) {
    assert.equal(encodeLengthHex(length), expected, `length ${length}`);
    assert.equal(encodedLengthSize(length), expected.length / 2);
    const reader = new RdbReader(hex(expected));
    assert.equal(reader.readLength(), length);
    assert.equal(reader.remaining, 0);
  }
});

test('the reader accepts wider length forms than necessary', () => {
  for (const form of ['05', '4005', '8000000005', '810000000000000005']) {
    assert.equal(new RdbReader(hex(form)).readLength(), 5, form);
  }
});

test('unknown length forms 0x82..0xBF and short reads are format errors', () => {
  for (let first = 0x82; first <= 0xbf; first++) {
    assert.throws(() => new RdbReader(Buffer.from([first, 0, 0, 0, 0, 0, 0, 0, 0])).readLength(), RdbFormatError);
  }
  for (const truncated of ['', '40', '80000000', '8100000000000000']) {
    assert.throws(() => new RdbReader(hex(truncated)).readLength(), RdbFormatError, truncated);
  }
});

test('a special-encoding byte reads as a length of its low 6 bits (rdbLoadLen(rdb, NULL))', () => {
  const reader = new RdbReader(hex('c3'));
  assert.equal(reader.readLength(), 3);
  assert.equal(reader.lastLengthWasEncoding, true);
  const plain = new RdbReader(hex('03'));
  assert.equal(plain.readLengthOrEncoding(), 3);
  assert.equal(plain.lastLengthWasEncoding, false);
});

test('integer encoding follows string2ll and the int8/16/32 ranges', () => {
  const cases: Array<[string, string | null]> = [
    ['0', 'c000'],
    ['1', 'c001'],
    ['-1', 'c0ff'],
    ['127', 'c07f'],
    ['-128', 'c080'],
    ['128', 'c18000'],
    ['-129', 'c17fff'],
    ['32767', 'c1ff7f'],
    ['32768', 'c200800000'],
    ['-32769', 'c2ff7fffff'],
    ['2147483647', 'c2ffffff7f'],
    ['-2147483648', 'c200000080'],
    ['2147483648', null],
    ['-2147483649', null],
    ['12345678901', null],
    ['-0', null],
    ['007', null],
    ['+1', null],
    [' 1', null],
    ['1 ', null],
    ['-', null],
    ['', null],
    ['1a', null],
  ];
  for (const [text, expected] of cases) {
    const encoded = encodeStringHex(text);
    if (expected === null) {
      assert.equal(parseRdbEncodableInteger(text), null, text);
      assert.equal(encoded.slice(0, 2), text.length.toString(16).padStart(2, '0'), `${text} stays raw`);
    } else {
      assert.equal(encoded, expected, text);
      assert.equal(parseRdbEncodableInteger(Buffer.from(text)), Number(text));
    }
    assert.equal(new RdbReader(Buffer.from(encoded, 'hex')).readString(), text);
  }
});

test('LZF is tried only above 20 bytes, only with compression on, and only if it saves 4 bytes', () => {
  const twenty = 'a'.repeat(20);
  assert.equal(encodeStringHex(twenty), '14' + Buffer.from(twenty).toString('hex'));
  const twentyOne = 'a'.repeat(21);
  const compressed = encodeStringHex(twentyOne);
  assert.equal(compressed.slice(0, 2), 'c3');
  assert.equal(encodeStringHex(twentyOne, false), '15' + Buffer.from(twentyOne).toString('hex'));

  const noise = randomBytes(300);
  assert.equal(encodeStringHex(noise).slice(0, 4), '412c', 'incompressible data is stored raw');
});

test('strings round trip as latin1 strings and Buffers, in every form', () => {
  const values: Buffer[] = [
    Buffer.alloc(0),
    Buffer.from('hello'),
    Buffer.from([0, 0x80, 0xff, 0x0a, 0x0d]),
    Buffer.from('x'.repeat(5000)),
    randomBytes(70_000),
    Buffer.from('#!lua name=lib\n' + "redis.register_function('f', function() return 1 end)\n".repeat(50)),
  ];
  for (const value of values) {
    for (const compression of [true, false]) {
      const writer = new RdbWriter(4);
      writer.writeString(value, { compression });
      writer.writeString(value.toString('latin1'), { compression });
      const bytes = writer.toBuffer();
      const reader = new RdbReader(bytes);
      assert.deepEqual(reader.readStringBuffer(), value);
      assert.equal(reader.readString(), value.toString('latin1'));
      assert.equal(reader.remaining, 0);
      // Writing from a Buffer and from the equivalent latin1 string gives the same bytes.
      assert.equal(bytes.subarray(0, bytes.length / 2).toString('hex'), bytes.subarray(bytes.length / 2).toString('hex'));
    }
  }
});

test('string reader errors: short raw, unknown encoding, short int, bad LZF', () => {
  const bad = [
    '05616263', // raw string of 5 with 3 bytes
    'c4', // unknown special encoding
    'ff',
    'c1ff', // int16 with one byte
    'c2000000', // int32 with three bytes
    'c3', // LZF without lengths
    'c30503', // LZF lengths but no body
    'c3020400610000', // LZF says 4 bytes, the 2-byte stream yields 1
    'c302026100', // literal run of 3 in a 2-byte stream
    'c3020a0061', // stream decodes to 1 byte, header says 10
  ];
  for (const bytes of bad) {
    assert.throws(() => new RdbReader(hex(bytes)).readString(), RdbFormatError, bytes);
    assert.throws(() => new RdbReader(hex(bytes)).readStringBuffer(), RdbFormatError, bytes);
  }
  // A declared length far beyond what the stream could produce is rejected before allocating.
  assert.throws(() => new RdbReader(hex('c3 02 80ffffffff 0061')).readString(), RdbFormatError);
});

test('LZF with a declared length of 0 succeeds whatever the stream (Redis compares 0 == 0)', () => {
  assert.equal(new RdbReader(hex('c3 03 00 ffffff')).readString(), '');
  // The compressed bytes must still be present.
  assert.throws(() => new RdbReader(hex('c3 03 00 ff')).readString(), RdbFormatError);
});

test('reader respects its end bound and position', () => {
  const bytes = hex('03616263 03646566');
  const reader = new RdbReader(bytes, 0, 6);
  assert.equal(reader.readString(), 'abc');
  assert.equal(reader.position, 4);
  assert.throws(() => reader.readString(), RdbFormatError);
  const fromMiddle = new RdbReader(bytes, 4);
  assert.equal(fromMiddle.readString(), 'def');
  assert.throws(() => fromMiddle.readByte(), RdbFormatError);
});

test('raw strings from readStringBuffer are views; writer grows from a tiny capacity', () => {
  const bytes = hex('03616263');
  const view = new RdbReader(bytes).readStringBuffer();
  bytes[1] = 0x7a;
  assert.equal(view.toString(), 'zbc');

  const writer = new RdbWriter(1);
  for (let i = 0; i < 1000; i++) writer.writeByte(i & 0xff);
  writer.writeUInt16LE(0x0a);
  writer.writeBigUInt64LE(0x0102030405060708n);
  assert.equal(writer.length, 1010);
  assert.equal(writer.view().subarray(1000).toString('hex'), '0a000807060504030201');
});
