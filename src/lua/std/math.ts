/** The Lua 5.1 math library, with Redis's deterministic random/randomseed. */
import { argError, LuaLibError } from '../errors.js';
import { checkInt, checkNumber } from '../lib/args.js';
import { LuaTable } from '../table.js';
import { host, tableOf } from './util.js';
import { negativeNaN } from '../lib/number.js';
import { pow } from '../runtime.js';

/** A NaN made by a C math function from non-NaN operands is negative on x86 ("-nan"). */
function cNaN(r: number, x: number, y: number): number {
  if (r === r) return r;
  if (x !== x) return x;
  if (y !== y) return y;
  return negativeNaN;
}

/**
 * redisLrand48 (Redis src/rand.c): the 48-bit lrand48 linear congruential generator,
 * x = (0x5DEECE66D * x + 0xB) mod 2^48, result = the top 31 bits.
 */
class RedisRand48 {
  private static readonly A = 0x5deece66dn;
  private static readonly MASK = (1n << 48n) - 1n;
  /** Initial state of rand.c's static x[] = { 0x330E, 0xABCD, 0x1234 }. */
  private x = (0x1234n << 32n) | (0xabcdn << 16n) | 0x330en;

  next(): number {
    this.x = (RedisRand48.A * this.x + 0xbn) & RedisRand48.MASK;
    return Number(this.x >> 17n);
  }

  /** redisSrand48(seed): x = seed's 32 bits above 0x330E. */
  seed(seed: number): void {
    this.x = (BigInt(seed >>> 0) << 16n) | 0x330en;
  }
}

const INT32_MAX = 2147483647;
const rand = new RedisRand48();

/** Reseed the script PRNG (Redis seeds with 0 before running a script). */
export function resetRandomSeed(seed = 0): void {
  rand.seed(seed);
}

function frexp(x: number): [number, number] {
  if (x === 0 || !Number.isFinite(x)) return [x, 0];
  const abs = Math.abs(x);
  let e = Math.max(-1073, Math.floor(Math.log2(abs)) + 1);
  let m = abs * 2 ** -e;
  while (m < 0.5) {
    m *= 2;
    e--;
  }
  while (m >= 1) {
    m /= 2;
    e++;
  }
  return [x < 0 ? -m : m, e];
}

function ldexp(m: number, e: number): number {
  // split the exponent so intermediate powers do not overflow/underflow
  if (e > 1023) return m * 2 ** 1023 * 2 ** (e - 1023);
  if (e < -1022) return m * 2 ** -1022 * 2 ** (e + 1022);
  return m * 2 ** e;
}

export function createMathLibrary(): LuaTable {
  const n1 = (name: string, f: (x: number) => number) => host(name, (args) => {
    const x = checkNumber(args, 0, name);
    return [cNaN(f(x), x, 0)];
  });
  const lib: LuaTable = tableOf({
    abs: n1('abs', Math.abs),
    acos: n1('acos', Math.acos),
    asin: n1('asin', Math.asin),
    atan: n1('atan', Math.atan),
    atan2: host('atan2', (a) => [Math.atan2(checkNumber(a, 0, 'atan2'), checkNumber(a, 1, 'atan2'))]),
    ceil: n1('ceil', Math.ceil),
    cos: n1('cos', Math.cos),
    cosh: n1('cosh', Math.cosh),
    deg: n1('deg', (x) => x * (180 / Math.PI)),
    exp: n1('exp', Math.exp),
    floor: n1('floor', Math.floor),
    fmod: host('fmod', (a) => {
      const x = checkNumber(a, 0, 'fmod');
      const y = checkNumber(a, 1, 'fmod');
      return [cNaN(x % y, x, y)];
    }),
    frexp: host('frexp', (a) => frexp(checkNumber(a, 0, 'frexp'))),
    huge: Infinity,
    ldexp: host('ldexp', (a) => [ldexp(checkNumber(a, 0, 'ldexp'), checkInt(a, 1, 'ldexp'))]),
    log: n1('log', Math.log),
    log10: n1('log10', Math.log10),
    max: host('max', (a) => {
      let m = checkNumber(a, 0, 'max');
      for (let i = 1; i < a.length; i++) {
        const x = checkNumber(a, i, 'max');
        if (x > m) m = x;
      }
      return [m];
    }),
    min: host('min', (a) => {
      let m = checkNumber(a, 0, 'min');
      for (let i = 1; i < a.length; i++) {
        const x = checkNumber(a, i, 'min');
        if (x < m) m = x;
      }
      return [m];
    }),
    modf: host('modf', (a) => {
      const x = checkNumber(a, 0, 'modf');
      if (x === Infinity || x === -Infinity) return [x, 0];
      const ip = Math.trunc(x);
      return [ip, x - ip];
    }),
    pi: Math.PI,
    pow: host('pow', (a) => {
      const x = checkNumber(a, 0, 'pow');
      const y = checkNumber(a, 1, 'pow');
      return [pow(x, y)];
    }),
    rad: n1('rad', (x) => x * (Math.PI / 180)),
    random: host('random', (args) => {
      const r = (rand.next() % INT32_MAX) / INT32_MAX;
      switch (args.length) {
        case 0: return [r];
        case 1: {
          const u = checkInt(args, 0, 'random');
          if (!(1 <= u)) throw argError(1, 'random', 'interval is empty');
          return [Math.floor(r * u) + 1];
        }
        case 2: {
          const l = checkInt(args, 0, 'random');
          const u = checkInt(args, 1, 'random');
          if (!(l <= u)) throw argError(2, 'random', 'interval is empty');
          return [Math.floor(r * (u - l + 1)) + l];
        }
        default: throw new LuaLibError('wrong number of arguments');
      }
    }),
    randomseed: host('randomseed', (args) => {
      rand.seed(checkInt(args, 0, 'randomseed'));
      return [];
    }),
    sin: n1('sin', Math.sin),
    sinh: n1('sinh', Math.sinh),
    sqrt: n1('sqrt', Math.sqrt),
    tan: n1('tan', Math.tan),
    tanh: n1('tanh', Math.tanh),
  });
  lib.set('mod', lib.get('fmod'));
  return lib;
}
