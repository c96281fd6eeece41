import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LuaLibError } from '../../../src/lua/errors.js';
import { quoteString, stringFormat } from '../../../src/lua/lib/format.js';
import { luaAvailable, luaEval, luaNumber, luaQuote } from './oracle.js';

type Arg = number | string | boolean | undefined | 'TABLE';

function luaArg(a: Arg): string {
  if (a === 'TABLE') return '{}';
  if (typeof a === 'number') return luaNumber(a);
  if (typeof a === 'string') return luaQuote(a);
  return String(a ?? 'nil');
}

function ours(fmt: string, args: Arg[]): { ok: boolean; value: string } {
  try {
    const jsArgs = args.map((a) => (a === 'TABLE' ? new Map() : a));
    return { ok: true, value: stringFormat([fmt, ...jsArgs])[0] };
  } catch (e) {
    if (e instanceof LuaLibError) return { ok: false, value: e.message };
    throw e;
  }
}

function compare(cases: Array<[string, Arg[]]>): void {
  const expected = luaEval(cases.map(([fmt, args]) => `string.format(${[luaQuote(fmt), ...args.map(luaArg)].join(', ')})`));
  cases.forEach(([fmt, args], i) => {
    const want = { ok: expected[i].ok, value: expected[i].ok ? expected[i].value : expected[i].value.replace(/^stdin:\d+: /, '') };
    assert.deepEqual(ours(fmt, args), want, `string.format(${JSON.stringify(fmt)}, ${args.map(String).join(', ')})`);
  });
}

const NUMBERS = [
  0, -0, 1, -1, 3.7, -3.7, 255.9, 256, -0.5, 2 ** 31, -(2 ** 31) - 1, 2 ** 32 + 5, 2 ** 53 + 2, 2 ** 63, 2 ** 63 + 4096, -(2 ** 63), 2 ** 64, 1e30,
  -1e30, Infinity, -Infinity, NaN, -NaN, 0.1, 1 / 3, 123456.789, 1e-10, 5e-324, 1.7976931348623157e308, 0.5, 2.5, 1e15, 1e16, 100, 65, 10,
];

test('numeric conversions with flags, width and precision agree with lua5.1', (t) => {
  if (!luaAvailable) return t.skip('lua5.1 not installed');
  const conversions = ['d', 'i', 'u', 'o', 'x', 'X', 'c', 'e', 'E', 'f', 'g', 'G'];
  const modifiers = ['', '5', '-5', '05', '+', ' ', '#', '.0', '.3', '10.4', '-+8.2', '#010', '+ 07.1', '#.0', '99.99', '-#x'];
  const cases: Array<[string, Arg[]]> = [];
  // nan's sign: lua5.1 sees 0/0 as -nan; JS NaN literals are positive (printed "nan")
  const nan = new DataView(new ArrayBuffer(8));
  nan.setUint32(0, 0xfff80000);
  const numbers = [...NUMBERS, nan.getFloat64(0)];
  for (const conv of conversions) {
    for (const mod of modifiers) {
      if (mod === '-#x' && conv !== 'x') continue;
      for (const n of numbers) cases.push([`[%${mod}${conv}]`, [n]]);
    }
  }
  compare(cases);
});

test('strings, %q and %% agree with lua5.1', (t) => {
  if (!luaAvailable) return t.skip('lua5.1 not installed');
  const long = 'x'.repeat(120) + '\0' + 'y';
  const strings = ['', 'abc', 'a\0b', 'quote"back\\slash\nnew\rret\0nul\x1a\xff', long, 'x'.repeat(99), 12.5, 1e100, -0];
  const cases: Array<[string, Arg[]]> = [];
  for (const s of strings) {
    for (const fmt of ['%s', '[%5s]', '[%-5s]', '[%.2s]', '[%5.1s]', '[%05s]', '%q', '[%10q]', '[%.200s]', '[%.99s]', '%s%%']) {
      cases.push([fmt, [s]]);
    }
  }
  cases.push(['a\0b%sc', ['d\0e']], ['%%', []], ['100%% %d%%', [5]], ['%s %s', [1, 2]], ['%5.2s|%-3d|%c%c%c', ['hello', 7, 76, 117, 97]]);
  compare(cases);
});

test('format errors agree with lua5.1', (t) => {
  if (!luaAvailable) return t.skip('lua5.1 not installed');
  compare([
    ['%d', []],
    ['%d %d', [1]],
    ['%d', ['x']],
    ['%d', ['0x10']],
    ['%d', [' 12 ']],
    ['%s', ['TABLE']],
    ['%s', [undefined]],
    ['%d', [true]],
    ['%-+ #0d', [1]],
    ['%-+ #0-d', [1]],
    ['%123d', [1]],
    ['%1.123d', [1]],
    ['%y', [1]],
    ['%', [1]],
    ['%5', [1]],
    ['%1$d', [1]],
    ['%ld', [1]],
    ['%5.3q', ['a']],
    ['%q', [1 / 3]],
    ['%c', ['65']],
    ['%s', []],
    ['%z %d', []],
  ]);
});

test('%q escapes exactly what 5.1 escapes', () => {
  assert.equal(quoteString('a"b\\c\nd\re\0f\tg'), '"a\\"b\\\\c\\\nd\\re\\000f\tg"');
  assert.throws(() => stringFormat([]), { message: "bad argument #1 to 'format' (string expected, got no value)" });
});
