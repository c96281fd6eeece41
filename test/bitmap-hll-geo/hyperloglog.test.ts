/**
 * HyperLogLog commands against redis-server 7.0.15: replies in RESP2 and RESP3, and the
 * HLL strings themselves (GET) byte for byte, through sparse and dense encodings.
 */
import { test } from 'node:test';
import { ownPair, pairPerFile } from '../support/oracle.js';
import { randInt, sameInBothProtocols, seededRandom, type Command } from './helpers.js';

const withPair = pairPerFile();

const elements = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

const script: Command[] = [
  ['PFADD', 'h'],
  ['GET', 'h'],
  ['PFADD', 'h', 'a', 'b', 'c'],
  ['PFADD', 'h', 'a'],
  ['GET', 'h'],
  ['PFCOUNT', 'h'],
  ['GET', 'h'],
  ['PFCOUNT', 'h'],
  ['PFDEBUG', 'ENCODING', 'h'],
  ['PFDEBUG', 'DECODE', 'h'],
  ['PFDEBUG', 'decode', 'h', 'extra'],
  ['PFDEBUG', 'FOO', 'h'],
  ['PFDEBUG', 'ENCODING', 'nokey'],
  ['PFADD', 'h2', ...elements('x', 200)],
  ['GET', 'h2'],
  ['PFCOUNT', 'h2'],
  ['PFCOUNT', 'h', 'h2', 'nokey'],
  ['PFMERGE', 'm', 'h', 'h2'],
  ['GET', 'm'],
  ['PFCOUNT', 'm'],
  ['PFMERGE', 'm2'],
  ['GET', 'm2'],
  ['PFMERGE', 'm', 'nokey'],
  ['PFDEBUG', 'TODENSE', 'h2'],
  ['PFDEBUG', 'TODENSE', 'h2'],
  ['GET', 'h2'],
  ['PFDEBUG', 'DECODE', 'h2'],
  ['PFADD', 'h2', 'more'],
  ['GET', 'h2'],
  ['PFCOUNT', 'h2'],
  ['PFMERGE', 'm3', 'h', 'h2'],
  ['PFDEBUG', 'ENCODING', 'm3'],
  ['GET', 'm3'],
  ['SET', 's', 'plain string'],
  ['PFADD', 's', 'a'],
  ['PFCOUNT', 's'],
  ['PFCOUNT', 's', 'h'],
  ['PFMERGE', 'm', 's'],
  ['PFDEBUG', 'GETREG', 's'],
  ['LPUSH', 'l', 'a'],
  ['PFADD', 'l', 'a'],
  ['PFCOUNT', 'l'],
  ['PFMERGE', 'l', 'h'],
  ['SET', 'fake', 'HYLL\x02\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00'],
  ['PFCOUNT', 'fake'],
  ['SET', 'fake', 'HYLL\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00'],
  ['PFCOUNT', 'fake'],
  ['SET', 'corrupt', 'HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x7f\xff'],
  ['PFCOUNT', 'corrupt'],
  ['PFADD', 'corrupt', 'a'],
  ['PFSELFTEST'],
  ['PFADD', 'big', 'a'.repeat(100), '\x00\x01\x02\x03\x04\x05\x06\x07\x08', 'é'],
  ['GET', 'big'],
];

test('HyperLogLog commands match redis-server in RESP2 and RESP3', withPair(async (pair) => {
  await sameInBothProtocols(pair, script);
  await pair.same('PFADD', 'g', 'a', 'b');
  const reply = await pair.same('PFDEBUG', 'GETREG', 'g');
  await pair.same('GET', 'g');
  if (!reply.toString('latin1').startsWith('*16384')) throw new Error('GETREG should list 16384 registers');
}));

test('random PFADD/PFCOUNT/PFMERGE sequences produce identical HLL strings', withPair(async (pair) => {
  const rand = seededRandom(99);
  const keys = ['h1', 'h2', 'h3', 'h4'];
  const key = () => keys[randInt(rand, 0, keys.length - 1)];
  for (let round = 0; round < 300; round++) {
    const r = rand();
    if (r < 0.6) {
      const n = randInt(rand, 1, round < 150 ? 5 : 60);
      const els = Array.from({ length: n }, () => `e${randInt(rand, 0, 20000)}`);
      await pair.same('PFADD', key(), ...els);
    } else if (r < 0.75) await pair.same('PFCOUNT', key());
    else if (r < 0.85) await pair.same('PFCOUNT', key(), key());
    else await pair.same('PFMERGE', key(), key(), key());
    if (round % 10 === 0) for (const k of keys) await pair.same('GET', k);
  }
  for (const k of keys) {
    await pair.same('GET', k);
    await pair.same('PFCOUNT', k);
    await pair.same('GET', k);
  }
  // A large dense HLL: estimates and registers agree.
  for (let i = 0; i < 20; i++) await pair.same('PFADD', 'dense', ...elements(`d${i}-`, 500));
  await pair.same('PFCOUNT', 'dense');
  await pair.same('GET', 'dense');
  await pair.same('PFCOUNT', 'dense', 'h1', 'h2');
}));

test('hll-sparse-max-bytes decides the promotion to dense', ownPair({ 'hll-sparse-max-bytes': '100' }, async (pair) => {
  for (let i = 0; i < 40; i++) {
    await pair.same('PFADD', 'p', `el${i}`);
    await pair.same('PFDEBUG', 'ENCODING', 'p');
  }
  await pair.same('GET', 'p');
}));
