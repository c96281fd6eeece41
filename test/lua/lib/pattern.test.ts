import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LuaLibError } from '../../../src/lua/errors.js';
import { numberToString } from '../../../src/lua/lib/number.js';
import { Gsub, gmatchStep, matchPattern, stringFind, stringGsubNonFunction, stringMatch } from '../../../src/lua/lib/pattern.js';
import { luaAvailable, luaEval, luaQuote } from './oracle.js';

const PRELUDE = `
local function J(...)
  local t = {}
  for i = 1, select('#', ...) do t[i] = tostring((select(i, ...))) end
  return select('#', ...) .. '#' .. table.concat(t, '\\1')
end
local function G(s, p)
  local t = {}
  for a, b in string.gmatch(s, p) do t[#t + 1] = tostring(a) .. ',' .. tostring(b) end
  return table.concat(t, '|')
end
local function GF(s, p)
  return J(string.gsub(s, p, function(a, b) if a == 'b' then return nil end return '<' .. tostring(a) .. ',' .. tostring(b) .. '>' end))
end
`;

function joined(values: unknown[]): string {
  const text = values.map((v) => (v === undefined ? 'nil' : typeof v === 'number' ? numberToString(v) : String(v)));
  return values.length + '#' + text.join('\x01');
}

function outcome(run: () => string): { ok: boolean; value: string } {
  try {
    return { ok: true, value: run() };
  } catch (e) {
    if (e instanceof LuaLibError) return { ok: false, value: e.message };
    throw e;
  }
}

function gmatchAll(s: string, p: string): string {
  const parts: string[] = [];
  let pos = 0;
  for (;;) {
    const step = gmatchStep(s, p, pos);
    if (step === null) break;
    pos = step.nextPosition;
    const [a, b] = step.captures;
    parts.push(`${a === undefined ? 'nil' : String(a)},${b === undefined ? 'nil' : String(b)}`);
  }
  return parts.join('|');
}

/** gsub with a "function" replacement: the engine's job, simulated here with Gsub. */
function gsubWithFunction(s: string, p: string): string {
  const g = new Gsub(s, p, s.length + 1);
  for (let m; (m = g.nextMatch()) !== null; ) {
    const [a, b] = m.captures();
    g.addValue(a === 'b' ? undefined : `<${String(a)},${b === undefined ? 'nil' : String(b)}>`);
  }
  return joined(g.finish());
}

interface Case {
  lua: string;
  ours: () => string;
}

function casesFor(s: string, p: string): Case[] {
  const S = luaQuote(s);
  const P = luaQuote(p);
  return [
    { lua: `J(string.find(${S}, ${P}))`, ours: () => joined(stringFind([s, p])) },
    { lua: `J(string.find(${S}, ${P}, 2))`, ours: () => joined(stringFind([s, p, 2])) },
    { lua: `J(string.find(${S}, ${P}, -3, true))`, ours: () => joined(stringFind([s, p, -3, true])) },
    { lua: `J(string.match(${S}, ${P}))`, ours: () => joined(stringMatch([s, p])) },
    { lua: `G(${S}, ${P})`, ours: () => gmatchAll(s, p) },
    { lua: `J(string.gsub(${S}, ${P}, "[%0|%1]"))`, ours: () => joined(stringGsubNonFunction([s, p, '[%0|%1]'])) },
    { lua: `J(string.gsub(${S}, ${P}, "x%%", 2))`, ours: () => joined(stringGsubNonFunction([s, p, 'x%%', 2])) },
    { lua: `GF(${S}, ${P})`, ours: () => gsubWithFunction(s, p) },
  ];
}

function compare(cases: Case[]): void {
  const expected = luaEval(cases.map((c) => c.lua), PRELUDE);
  cases.forEach((c, i) => {
    const want = { ok: expected[i].ok, value: expected[i].ok ? expected[i].value : expected[i].value.replace(/^stdin:\d+: /, '') };
    assert.deepEqual(outcome(c.ours), want, c.lua);
  });
}

const SUBJECTS = [
  '', 'hello world', 'abc', 'aaa', '  key = value  ', 'THE (quick) fox', 'f(a(b)c)d', 'x=1, y=22, z=333', 'a.b-c',
  '\0a\0', 'caf\xe9 \xff', 'one\ntwo\tthree', '[[x]]', '%d', 'THE (quick) (brown) fox', 'ab^cd$', '  ',
];
const PATTERNS = [
  '', 'o', 'l+', 'l*', 'l-', 'l?', '^h', 'd$', '^$', '%a+', '%A+', '%d+', '%D', '%l%u', '%s*', '%S+', '%w+', '%W', '%x+',
  '%p', '%P+', '%c', '%z', '%Z+', '.', '.-', '.*', '(%w+)=(%w+)', '()', '()a()', '(a)(b)?', '%b()', '%b((', '%f[%a]%a+',
  '%f[%A]', '%f[%z]', '(a*(.)%w(%s*))', '(l)%1', '(.)%1', '[aeiou]', '[^aeiou ]+', '[a-f]+', '[%a-]+', '[]]', '[^]]+',
  '[a-]', '[-a]', '[%]]', '[.]', '%.', 'a.b', '[%d%s]+', '$', '^', 'x$y', '^^', 'o$', '(o)(r)', '(h)(e)(l)(l)(o)',
  '[^%z]+', '\xe9', '[\x80-\xff]+', '%u', '%U+', '.-b', '(%()', 'a\0b', '%[%[(.-)%]%]', '((a)(b))', '%$', 'q?u?i?',
  // errors
  '%', '[a', '[^', '(()', '(', ')', '%1', '(a)%2', '(a%1)', '%b', '%ba', '%f', '%fa', '[%', '(%b)', '%0', 'a(', 'a)',
];

test('find/match/gmatch/gsub agree with lua5.1 on a table of subjects and patterns', (t) => {
  if (!luaAvailable) return t.skip('lua5.1 not installed');
  const cases: Case[] = [];
  for (const s of SUBJECTS) for (const p of PATTERNS) cases.push(...casesFor(s, p));
  compare(cases);
});

test('random patterns agree with lua5.1', (t) => {
  if (!luaAvailable) return t.skip('lua5.1 not installed');
  let seed = 12345;
  const random = (n: number): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const atoms = ['a', 'b', '.', '%a', '%d', '[ab]', '[^a]', '%s', '(', ')', '()', '%1', '%b()', '%f[b]', '[a-c]', '1', ' '];
  const quantifiers = ['', '', '', '*', '+', '-', '?'];
  const cases: Case[] = [];
  for (let i = 0; i < 400; i++) {
    let p = random(5) === 0 ? '^' : '';
    const n = 1 + random(5);
    for (let j = 0; j < n; j++) p += atoms[random(atoms.length)] + quantifiers[random(quantifiers.length)];
    if (random(6) === 0) p += '$';
    let s = '';
    const len = random(12);
    for (let j = 0; j < len; j++) s += 'ab1 ()c'[random(7)];
    cases.push(...casesFor(s, p));
  }
  compare(cases);
});

test('matchPattern reports 0-based spans and position captures', () => {
  assert.deepEqual(matchPattern('hello world', '()o (w)', 0), { start: 4, end: 7, captures: [5, 'w'] });
  assert.equal(matchPattern('abc', '^b', 0), null);
  assert.deepEqual(matchPattern('abc', 'c', 2), { start: 2, end: 3, captures: ['c'] });
});

test('argument errors mirror luaL_check*', () => {
  assert.throws(() => stringFind([]), { message: "bad argument #1 to 'find' (string expected, got no value)" });
  assert.throws(() => stringMatch(['x']), { message: "bad argument #2 to 'match' (string expected, got no value)" });
  assert.throws(() => stringFind(['x', 'y', 'z']), { message: "bad argument #3 to 'find' (number expected, got string)" });
  assert.throws(() => stringGsubNonFunction(['x', 'y']), { message: "bad argument #3 to 'gsub' (string/function/table expected)" });
  assert.deepEqual(stringFind([12345, 34]), [3, 4]);
  assert.deepEqual(stringFind(['abc', '', 10]), [4, 3]);
});

test('gsub rejects a table as replacement value', () => {
  const g = new Gsub('abc', 'b', 10);
  assert.notEqual(g.nextMatch(), null);
  assert.throws(() => g.addValue(true), { message: 'invalid replacement value (a boolean)' });
});
