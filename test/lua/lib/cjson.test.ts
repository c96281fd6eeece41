import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { LuaTable } from '../../../src/lua/table.js';
import { LuaFunction, type LuaValue } from '../../../src/lua/value.js';
import { cjsonNull, createCjsonFunctions, createCjsonModule } from '../../../src/lua/lib/cjson.js';
import { numberToString } from '../../../src/lua/lib/number.js';
import { RedisOracle, luaNumber, luaQuote, redisAvailable, redisEvalExprs, type OracleResult, dumpValue, runLib } from './oracle.js';

let redis: RedisOracle | undefined;
before(async () => {
  if (redisAvailable) redis = await RedisOracle.start(7263);
});
after(() => redis?.stop());

/** A value described once, built both as Lua source and as our runtime value. */
type Desc = undefined | boolean | number | string | 'NULL' | 'FUNCTION' | { entries: Array<[Desc, Desc]> } | { list: Desc[] } | { nested: number };

function toLua(d: Desc): string {
  if (d === undefined) return 'nil';
  if (d === 'NULL') return 'cjson.null';
  if (d === 'FUNCTION') return 'tostring';
  if (typeof d === 'number') return luaNumber(d);
  if (typeof d === 'string') return luaQuote(d);
  if (typeof d === 'boolean') return String(d);
  if ('list' in d) return '{' + d.list.map(toLua).join(', ') + '}';
  // Lua's parser limits constructor nesting, so deep tables are built by a loop
  if ('nested' in d) return `(function() local t = 1 for i = 1, ${d.nested} do t = {t} end return t end)()`;
  return '{' + d.entries.map(([k, v]) => `[${toLua(k)}] = ${toLua(v)}`).join(', ') + '}';
}

function toValue(d: Desc): unknown {
  if (d === 'NULL') return cjsonNull;
  if (d === 'FUNCTION') return LuaFunction.fromHost('print', () => []);
  if (d === undefined || typeof d !== 'object') return d;
  const t = new LuaTable();
  if ('nested' in d) return toValue(nested(d.nested));
  if ('list' in d) d.list.forEach((v, i) => v !== undefined && t.set(i + 1, toValue(v) as LuaValue));
  else for (const [k, v] of d.entries) t.set(toValue(k) as LuaValue, toValue(v) as LuaValue);
  return t;
}

const DUMP = `local function D(v)
  local t = type(v)
  if t == 'table' then
    local ks = {}
    for k in pairs(v) do ks[#ks + 1] = k end
    table.sort(ks, function(a, b) return tostring(a) < tostring(b) end)
    local o = {}
    for _, k in ipairs(ks) do o[#o + 1] = D(k) .. '=' .. D(v[k]) end
    return '{' .. table.concat(o, ',') .. '}'
  elseif t == 'string' then return string.format('%q', v)
  elseif v == cjson.null then return 'NULL'
  else return t .. ':' .. tostring(v) end
end`;


function nested(depth: number): Desc {
  let d: Desc = 1;
  for (let i = 0; i < depth; i++) d = { list: [d] };
  return d;
}

test('cjson.encode agrees with Redis 7.0', async (t) => {
  if (!redis) return t.skip('redis-server not installed');
  const allBytes = Array.from({ length: 256 }, (_, i) => String.fromCharCode(i)).join('');
  const cases: Desc[] = [
    undefined, true, false, 0, -0, 1, -1, 0.1, 1 / 3, 1e15, 1e100, 123456789012345, 5e-324, Infinity, -Infinity, NaN,
    '', 'hello', 'a/b"c\\d', allBytes, 'NULL', 'FUNCTION',
    { list: [] }, { list: [1, 2, 3] }, { list: ['a', { list: [true, false] }, 'NULL'] }, { list: [1, undefined, 3] },
    { entries: [['a', 1]] }, { entries: [[1, 'x'], [3, 'y']] }, { entries: [[1, 'x'], [20, 'y']] }, { entries: [[11, 'x']] },
    { entries: [[10, 'x']] }, { entries: [[0, 'zero']] }, { entries: [[-1, 'neg']] }, { entries: [[1.5, 'frac']] },
    { entries: [[true, 1]] }, { entries: [['k', 'FUNCTION']] }, { entries: [['k', NaN]] }, { entries: [[Infinity, 1]] },
    { entries: [['nested', { entries: [['deeper', { list: [1] }]] }]] }, { entries: [[{ list: [] }, 1]] },
    { nested: 999 }, { nested: 1000 }, { nested: 1001 },
  ];
  const expected = await redisEvalExprs(redis, cases.map((d) => `cjson.encode(${toLua(d)})`));
  const cjson = createCjsonFunctions();
  cases.forEach((d, i) => {
    assert.deepEqual(runLib(() => cjson.encode([toValue(d)])[0] as string), expected[i], `cjson.encode(${toLua(d).slice(0, 200)})`);
  });
});

test('cjson.decode agrees with Redis 7.0', async (t) => {
  if (!redis) return t.skip('redis-server not installed');
  const inputs = [
    '1', '-0', '1.5e3', '  "str"  ', 'true', 'false', 'null', '[]', '{}', '[1,2,[3,{"a":null}]]', '{"a":1,"b":[true,false],"c":{"d":"e"}}',
    '"\\u0041\\u00e9\\u20ac\\ud83d\\ude00\\/\\b\\f\\n\\r\\t\\"\\\\"', '"\\ude00"', '"\\ud83dx"', '"\\u12"', '"\\x"', '"abc', '[1,2',
    '[1 2]', '{"a" 1}', '{1:2}', '{"a":1,}', '[1,]', '', '   ', 'nul', 'tru', 'x', '+1', '0x10', '01', '-', '1e', 'nan', '-nan',
    'inf', '-inf', 'Infinity', 'NaN', '-Infinity', '1.5.5', '[1]x', '[1]\0garbage', '\0[1]', 'a\0', '"a\0b"', '"caf\xc3\xa9"', '"\x01"',
    '{"a":1,"a":2}', '[' + '['.repeat(998) + ']'.repeat(999), '['.repeat(1001) + ']'.repeat(1001), '{"k":[1,{"x":[]}]}', '1e400',
    '-1e-400', '123456789012345678901234567890', '[null,null]', '"\\u0000"', '"\\uD834\\uDD1E"', '"\\uDBFF\\uDFFF"', '\t\n\r 5',
  ];
  const expected = await redisEvalExprs(redis, inputs.map((s) => `(function() ${DUMP} return D(cjson.decode(${luaQuote(s)})) end)()`));
  const cjson = createCjsonFunctions();
  inputs.forEach((s, i) => {
    assert.deepEqual(runLib(() => dumpValue(cjson.decode([s])[0])), expected[i], `cjson.decode(${JSON.stringify(s).slice(0, 100)})`);
  });
});

test('cjson configuration functions agree with Redis 7.0', async (t) => {
  if (!redis) return t.skip('redis-server not installed');
  // each case runs on a fresh cjson.new() so settings never leak between cases
  const cases: Array<[string, string]> = [
    ['c.encode_max_depth(2)', 'c.encode({{1}})'],
    ['c.encode_max_depth(2)', 'c.encode({{{1}}})'],
    ['c.decode_max_depth(2)', 'D(c.decode("[[1]]"))'],
    ['c.decode_max_depth(2)', 'D(c.decode("[[[1]]]"))'],
    ['c.encode_number_precision(3)', 'c.encode({1/3, 12345, 0.1})'],
    ['', 'c.encode_number_precision(15)'],
    ['', 'c.encode_number_precision(0)'],
    ['', 'c.encode_number_precision("x")'],
    ['', 'c.encode_max_depth(1, 2)'],
    ['', 'J(c.encode_sparse_array())'],
    ['', 'J(c.encode_sparse_array(true, 3, 4))'],
    ['', 'J(c.encode_sparse_array("on"))'],
    ['', 'J(c.encode_sparse_array("maybe"))'],
    ['', 'J(c.encode_sparse_array(nil, -1))'],
    ['c.encode_sparse_array(true)', 'c.encode({[1] = 1, [100] = 2})'],
    ['c.encode_sparse_array(false, 0)', 'c.encode({[1] = 1, [20] = 2})'],
    ['c.encode_sparse_array(false, 5, 30)', 'c.encode({[1] = 1, [20] = 2})'],
    ['', 'J(c.encode_invalid_numbers())'],
    ['', 'J(c.encode_invalid_numbers("null"))'],
    ['', 'J(c.encode_invalid_numbers(1))'],
    ['c.encode_invalid_numbers(true)', 'c.encode({1/0, -1/0, 0/0})'],
    ['c.encode_invalid_numbers("null")', 'c.encode({1/0, -1/0, 0/0})'],
    ['', 'J(c.decode_invalid_numbers(false))'],
    ['c.decode_invalid_numbers(false)', 'D(c.decode("NaN"))'],
    ['c.decode_invalid_numbers(false)', 'D(c.decode("[-Infinity]"))'],
    ['c.decode_invalid_numbers(false)', 'D(c.decode("0x10"))'],
    ['c.decode_invalid_numbers(false)', 'D(c.decode("-01"))'],
    ['c.decode_invalid_numbers(false)', 'D(c.decode("+1"))'],
    ['', 'J(c.encode_keep_buffer(false))'],
    ['', 'J(c.encode_keep_buffer())'],
    ['', 'c.encode()'],
    ['', 'c.encode(1, 2)'],
    ['', 'c.decode()'],
    ['', 'c.decode({})'],
    ['', 'c.decode(12)'],
    ['', 'tostring(c.null == cjson.null) .. type(c.null) .. c._NAME .. c._VERSION'],
    ['', 'type(c.new) .. type(c.new().encode)'],
  ];
  const J = `local function J(...) local t = {} for i = 1, select('#', ...) do t[i] = tostring((select(i, ...))) end return table.concat(t, ',') end`;
  const expected = await redisEvalExprs(redis, cases.map(([setup, expr]) => `(function() ${DUMP} ${J} local c = cjson.new() ${setup} return ${expr} end)()`));
  // our side: the same snippets, hand-translated through a tiny interpreter-free harness
  for (let i = 0; i < cases.length; i++) {
    const [setup, expr] = cases[i];
    const got = runLib(() => evalSnippet(setup, expr));
    assert.deepEqual(got, expected[i], `${setup}; ${expr}`);
  }
});

/**
 * Without the engine, run a configuration snippet by calling our functions directly: the
 * snippets above use only c.<function>(<literal args>) and a few wrappers.
 */
function evalSnippet(setup: string, expr: string): string {
  const module = createCjsonModule();
  const call = (source: string): unknown[] => {
    const m = /^c\.(\w+)\((.*)\)$/.exec(source);
    if (!m) throw new Error('unsupported snippet ' + source);
    const fn = module.get(m[1]) as LuaFunction;
    return fn.host!(parseArgs(m[2]) as LuaValue[]);
  };
  if (setup !== '') call(setup);
  let m: RegExpExecArray | null;
  if ((m = /^J\((.*)\)$/.exec(expr))) return call(m[1]).map((v) => (typeof v === 'number' ? numberToString(v) : String(v))).join(',');
  if ((m = /^D\((.*)\)$/.exec(expr))) return dumpValue(call(m[1])[0]);
  if (expr.startsWith('tostring(c.null')) {
    return String(module.get('null') === (cjsonNull as unknown as LuaValue)) + 'userdata' + String(module.get('_NAME')) + String(module.get('_VERSION'));
  }
  if (expr.startsWith('type(c.new)')) {
    const fresh = (module.get('new') as LuaFunction).host!([])[0] as LuaTable;
    return (module.get('new') instanceof LuaFunction ? 'function' : '?') + (fresh.get('encode') instanceof LuaFunction ? 'function' : '?');
  }
  const v = call(expr)[0];
  return typeof v === 'number' ? numberToString(v) : String(v);
}

/** Literal arguments: numbers, strings, booleans, nil, 1/0-style expressions, and {..} lists. */
function parseArgs(text: string): unknown[] {
  if (text.trim() === '') return [];
  const out: unknown[] = [];
  for (const raw of splitTopLevel(text)) out.push(parseLiteral(raw.trim()));
  return out;
}

function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') inString = !inString;
    else if (!inString && (c === '{' || c === '[')) depth++;
    else if (!inString && (c === '}' || c === ']')) depth--;
    else if (!inString && depth === 0 && c === ',') {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

function parseLiteral(s: string): unknown {
  if (s === 'nil') return undefined;
  if (s === 'true' || s === 'false') return s === 'true';
  if (s === '1/0') return Infinity;
  if (s === '-1/0') return -Infinity;
  if (s === '0/0') return NaN;
  if (s.startsWith('"')) return s.slice(1, -1);
  if (s.startsWith('{')) {
    const t = new LuaTable();
    const body = s.slice(1, -1);
    if (body.trim() === '') return t;
    splitTopLevel(body).forEach((item, i) => {
      const kv = /^\s*\[(.+?)\]\s*=\s*(.+)$/.exec(item);
      if (kv) t.set(parseLiteral(kv[1].trim()) as LuaValue, parseLiteral(kv[2].trim()) as LuaValue);
      else t.set(i + 1, parseLiteral(item.trim()) as LuaValue);
    });
    return t;
  }
  if (/^-?[\d.]+$/.test(s)) return Number(s);
  if (s === '1/3') return 1 / 3;
  throw new Error('unsupported literal ' + s);
}
