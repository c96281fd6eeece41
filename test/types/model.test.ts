/**
 * Randomized differential test: a long seeded sequence of data-type commands against
 * both servers. Replies Redis leaves unordered (set members, hashtable iteration) are
 * compared order-insensitively; everything else byte for byte. The seed is printed on
 * failure (override with LUNAKV_MODEL_SEED).
 */
import { test } from 'node:test';
import { pairPerFile } from '../support/oracle.js';
import { sameUnordered, type Command } from './helpers.js';

const withPair = pairPerFile();

/** mulberry32: a small seeded PRNG. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const UNORDERED = new Set(['SMEMBERS', 'SINTER', 'SUNION', 'SDIFF', 'HKEYS', 'HVALS', 'HGETALL']);

function generator(rand: () => number) {
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)];
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  const keys = ['a', 'b', 'c', 'd'];
  const members = ['1', '2', '3', '10', '-4', 'x', 'y', 'zz', 'w'];
  const score = () => pick(['0', '1', '2.5', '-1', '3', '1e3', '(2', 'inf', '-inf']);
  const plainScore = () => pick(['0', '1', '2.5', '-1', '3', '1e3', 'inf', '-inf']);
  let streamSeq = 0;
  const makers: (() => Command)[] = [
    () => ['HSET', pick(keys), pick(members), pick(members), pick(members), String(int(0, 99))],
    () => ['HDEL', pick(keys), pick(members), pick(members)],
    () => ['HGET', pick(keys), pick(members)],
    () => ['HINCRBY', pick(keys), pick(members), String(int(-5, 5))],
    () => ['HGETALL', pick(keys)],
    () => ['HLEN', pick(keys)],
    () => ['HMGET', pick(keys), pick(members), pick(members)],
    () => ['LPUSH', pick(keys), pick(members), pick(members)],
    () => ['RPUSH', pick(keys), pick(members)],
    () => ['LPOP', pick(keys), ...(rand() < 0.5 ? [String(int(0, 3))] : [])],
    () => ['RPOP', pick(keys)],
    () => ['LRANGE', pick(keys), String(int(-5, 3)), String(int(-3, 6))],
    () => ['LREM', pick(keys), String(int(-2, 2)), pick(members)],
    () => ['LINSERT', pick(keys), pick(['BEFORE', 'AFTER']), pick(members), pick(members)],
    () => ['LTRIM', pick(keys), String(int(-4, 2)), String(int(-2, 5))],
    () => ['LMOVE', pick(keys), pick(keys), pick(['LEFT', 'RIGHT']), pick(['LEFT', 'RIGHT'])],
    () => ['LPOS', pick(keys), pick(members), 'RANK', pick(['1', '-1', '2'])],
    () => ['LMPOP', '2', pick(keys), pick(keys), pick(['LEFT', 'RIGHT']), 'COUNT', String(int(1, 3))],
    () => ['SADD', pick(keys), pick(members), pick(members)],
    () => ['SREM', pick(keys), pick(members)],
    () => ['SMEMBERS', pick(keys)],
    () => ['SISMEMBER', pick(keys), pick(members)],
    () => ['SINTER', pick(keys), pick(keys)],
    () => ['SUNION', pick(keys), pick(keys)],
    () => ['SDIFF', pick(keys), pick(keys)],
    () => ['SINTERCARD', '2', pick(keys), pick(keys)],
    () => ['SMOVE', pick(keys), pick(keys), pick(members)],
    () => ['SUNIONSTORE', pick(keys), pick(keys), pick(keys)],
    () => ['ZADD', pick(keys), ...(rand() < 0.3 ? [pick(['NX', 'XX', 'GT', 'LT', 'CH'])] : []), plainScore(), pick(members)],
    () => ['ZINCRBY', pick(keys), pick(['1', '-2', '0.5']), pick(members)],
    () => ['ZREM', pick(keys), pick(members)],
    () => ['ZRANGE', pick(keys), '0', '-1', 'WITHSCORES'],
    () => ['ZRANGE', pick(keys), score(), score(), 'BYSCORE', ...(rand() < 0.5 ? ['REV'] : []), 'LIMIT', String(int(0, 2)), String(int(-1, 3))],
    () => ['ZRANK', pick(keys), pick(members)],
    () => ['ZCOUNT', pick(keys), score(), score()],
    () => ['ZPOPMIN', pick(keys), String(int(0, 2))],
    () => ['ZUNIONSTORE', pick(keys), '2', pick(keys), pick(keys), 'AGGREGATE', pick(['SUM', 'MIN', 'MAX'])],
    () => ['ZINTER', '2', pick(keys), pick(keys), 'WITHSCORES'],
    () => ['ZREMRANGEBYSCORE', pick(keys), score(), score()],
    () => ['XADD', pick(keys), `${++streamSeq}-${int(0, 2)}`, pick(members), pick(members)],
    () => ['XRANGE', pick(keys), '-', '+', 'COUNT', String(int(1, 4))],
    () => ['XDEL', pick(keys), `${int(1, streamSeq + 1)}-0`],
    () => ['XTRIM', pick(keys), 'MAXLEN', String(int(0, 5))],
    () => ['XLEN', pick(keys)],
    () => ['SORT', pick(keys), ...(rand() < 0.5 ? ['ALPHA'] : []), ...(rand() < 0.3 ? ['DESC'] : [])],
    () => ['TYPE', pick(keys)],
    () => ['DEL', pick(keys)],
    () => ['OBJECT', 'ENCODING', pick(keys)],
  ];
  return () => pick(makers)();
}

test('a random command sequence gives identical replies', withPair(async (pair) => {
  const seed = Number(process.env.LUNAKV_MODEL_SEED ?? Math.floor(Math.random() * 2 ** 31));
  const next = generator(prng(seed));
  const history: string[] = [];
  try {
    for (let i = 0; i < 3000; i++) {
      const cmd = next();
      history.push(cmd.join(' '));
      if (UNORDERED.has(String(cmd[0]))) await sameUnordered(pair, ...cmd);
      else await pair.same(...cmd);
    }
  } catch (e) {
    const recent = history.slice(-3000).join('\n');
    (e as Error).message = `model test failed with seed ${seed} (LUNAKV_MODEL_SEED=${seed}): ${(e as Error).message}\nlast commands:\n${recent}`;
    throw e;
  }
}));
