import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatE, formatF, formatG, isNegativeNaN, numberToString, stringToNumber } from '../../../src/lua/lib/number.js';
import { luaAvailable, luaEval, luaNumber, luaQuote } from './oracle.js';

/** A deterministic pseudo-random generator so failures reproduce. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function interestingNumbers(): number[] {
  const random = rng(42);
  const out = [
    Infinity, -Infinity, 0, -0, 1e15, 1e14, 99999999999999, 123456789012345, 2 ** 53, 2 ** 63, 0.1, 1 / 3, 1e-5,
    123456789012345678, 1e100, 5e-324, 2.5, 0.5, 1.5, -2.5, 1234567890123.25, 0.125, 1e21, 1e22, 1.7976931348623157e308,
    2.2250738585072014e-308, 100, -1e15, 1e-4, 9.5, 0.05, 0.15, 0.25, 0.35, 1e-7, 123.456, -0.0001, 4.35, 1e16, 2 ** 70,
  ];
  const view = new DataView(new ArrayBuffer(8));
  for (let i = 0; i < 150; i++) {
    // random bit patterns of all magnitudes
    view.setUint32(0, Math.floor(random() * 2 ** 32));
    view.setUint32(4, Math.floor(random() * 2 ** 32));
    const v = view.getFloat64(0);
    if (Number.isFinite(v)) out.push(v);
  }
  for (let i = 0; i < 150; i++) {
    // numbers with short decimal or binary expansions, where rounding ties occur
    const scale = 10 ** Math.floor(random() * 30 - 10);
    out.push(Math.round(random() * 1e6) / 8 * scale);
    out.push(Math.floor(random() * 2 ** 40) + 0.5);
    out.push(Math.round(random() * 1e4) / 1e3);
  }
  return out;
}

test('numberToString matches tostring in lua5.1', (t) => {
  if (!luaAvailable) return t.skip('lua5.1 not installed');
  const values = interestingNumbers();
  values.push(NaN);
  const expected = luaEval(values.map((v) => `tostring(${luaNumber(v)})`));
  values.forEach((v, i) => assert.equal(numberToString(v), expected[i].value, `tostring of ${v}`));
});

test('0/0 prints -nan and -(0/0) prints nan, as on Linux', () => {
  const view = new DataView(new ArrayBuffer(8));
  view.setUint32(0, 0xfff80000);
  assert.equal(isNegativeNaN(view.getFloat64(0)), true);
  assert.equal(numberToString(view.getFloat64(0)), '-nan');
  view.setUint32(0, 0x7ff80000);
  assert.equal(numberToString(view.getFloat64(0)), 'nan');
});

test('formatG / formatE / formatF match string.format %g %e %f in lua5.1', (t) => {
  if (!luaAvailable) return t.skip('lua5.1 not installed');
  const random = rng(7);
  const cases: Array<{ n: number; conv: 'g' | 'e' | 'f'; precision: number; alt: boolean }> = [];
  for (const n of interestingNumbers()) {
    for (const conv of ['g', 'e', 'f'] as const) {
      const precision = Math.floor(random() * 25);
      cases.push({ n, conv, precision, alt: random() < 0.3 });
    }
  }
  for (const n of [0.5, 1.5, 2.5, 1e300, -1e308, 5e-324, 123.456]) {
    cases.push({ n, conv: 'f', precision: 0, alt: false }, { n, conv: 'f', precision: 99, alt: false });
    cases.push({ n, conv: 'e', precision: 99, alt: false }, { n, conv: 'g', precision: 99, alt: true });
  }
  const expected = luaEval(cases.map((c) => `string.format("%${c.alt ? '#' : ''}.${c.precision}${c.conv}", ${luaNumber(c.n)})`));
  const impl = { g: formatG, e: formatE, f: formatF };
  cases.forEach((c, i) => {
    assert.equal(impl[c.conv](c.n, c.precision, c.alt), expected[i].value, `%${c.alt ? '#' : ''}.${c.precision}${c.conv} of ${c.n}`);
  });
});

test('stringToNumber matches tonumber in lua5.1', (t) => {
  if (!luaAvailable) return t.skip('lua5.1 not installed');
  const inputs = [
    ' 0x10 ', '1e', '  12  ', '0x', '1e+', '.5', '5.', 'inf', 'nan', '-inf', '  -0x10', '0x1p4', '1e400', '-1e400',
    'infinity', 'INF', 'nAn', '0X1F', '1 2', '', '  ', '+5', '+0x10', '0x10.5', '1e5 ', '\t\n5\v\f', '0x100000000000000000',
    '-nan', '0x7fffffff', '0xffffffffffffffff', '1.e5', 'e5', '1e-400', '.', '-.5e1', '5\0', '5\0x', '-0', 'nan(12)',
    'nan(', 'infin', '0x-5', ' -0x', '0x.8', '0xp1', '0x1p', '0x1p-2', '1E5', '0x.', '0x1.fffffffffffff8p1023', '--1',
    '1e+5', '12a', 'a', '0x1P+3', '  .e1', '00012', '1.5e-3', '0x1.8', '123456789012345678901234567890', '\f', '1_000',
    '0x123456789abcdef0123', '0x0.0000000000001p-1022', '  +.5  ', '+-1', '1e5.5', '\x00', 'nan()', 'infinityx',
  ];
  const expected = luaEval(inputs.map((s) => `tostring(tonumber(${luaQuote(s)}))`));
  inputs.forEach((s, i) => {
    const got = stringToNumber(s);
    assert.equal(got === undefined ? 'nil' : numberToString(got), expected[i].value, `tonumber(${JSON.stringify(s)})`);
  });
});
