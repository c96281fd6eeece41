/** Host API: budgets, suspension, kill, sandbox hooks, errors. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  callSync, compile, createGlobals, hostFunction, LuaError, LuaExecution, LuaLibError, LuaTable, resetRandomSeed,
  setReadonly, tableOf, type ExecutionResult, type LuaFunction,
} from '../../src/lua/index.js';

function load(source: string, G = createGlobals()): LuaFunction {
  return compile(source, '@user_script', G);
}

function suspendTwiceThenKill(source: string): void {
  const exec = new LuaExecution(load(source), []);
  assert.equal(exec.resume(10_000).status, 'suspended');
  assert.equal(exec.resume(10_000).status, 'suspended');
  const killedHere = { status: 'killed', position: { chunk: 'user_script', line: 1 } };
  assert.deepEqual(exec.kill(), killedHere);
  assert.deepEqual(exec.resume(10_000), killedHere);
}

test('a kill reports the line the script was running', () => {
  const exec = new LuaExecution(load('local n = 0\nwhile true do\n  n = n + 1\nend'), []);
  assert.equal(exec.resume(1_000).status, 'suspended');
  assert.deepEqual(exec.kill(), { status: 'killed', position: { chunk: 'user_script', line: 2 } });
});

test('a script paused inside nested Lua calls resumes them and is killed in the innermost', () => {
  const exec = new LuaExecution(load('local function spin(n)\n  if n > 0 then return spin(n - 1) + 1 end\n  while true do end\nend\nreturn spin(5)'), []);
  assert.equal(exec.resume(1_000).status, 'suspended');
  assert.equal(exec.resume(1_000).status, 'suspended');
  assert.deepEqual(exec.kill(), { status: 'killed', position: { chunk: 'user_script', line: 3 } });
  const finishing = new LuaExecution(load('local function deep(n) if n == 0 then return 0 end return deep(n - 1) + 1 end return deep(500)'), []);
  let r: ExecutionResult;
  let pauses = 0;
  while ((r = finishing.resume(37)).status === 'suspended') pauses++;
  assert.ok(pauses > 5);
  assert.deepEqual(r, { status: 'done', values: [500] });
});

test('a script killed before it started is killed at its first line', () => {
  const exec = new LuaExecution(load('\nlocal x = 1 return x'), []);
  assert.deepEqual(exec.kill(), { status: 'killed', position: { chunk: 'user_script', line: 1 } });
});

test('busy loop is suspended, resumed and killed', () => suspendTwiceThenKill('while true do end'));
test('pcall loop is suspended and killed; pcall does not catch the kill', () =>
  suspendTwiceThenKill('while true do pcall(function() end) end'));
test('kill inside pcall is not caught', () =>
  suspendTwiceThenKill("pcall(function() while true do end end) return 'after'"));
test('table.sort comparator loop is suspended and killed', () =>
  suspendTwiceThenKill('local t = {} for i = 1, 100 do t[i] = i end table.sort(t, function(a, b) while true do end end)'));
test('string.gsub function loop is suspended and killed', () =>
  suspendTwiceThenKill('string.gsub("abc", "%w", function() while true do end end)'));
test('busy coroutine is suspended and killed', () =>
  suspendTwiceThenKill('local f = coroutine.wrap(function() while true do end end) f()'));
test('xpcall handler and metamethod loops are suspended', () => {
  suspendTwiceThenKill('xpcall(function() error("x") end, function() while true do end end)');
  suspendTwiceThenKill('local t = setmetatable({}, {__index = function() while true do end end}) return t.x');
});

test('a script finishes correctly across many suspensions', () => {
  const exec = new LuaExecution(load(`
    local co = coroutine.wrap(function() for i = 1, 100 do coroutine.yield(i) end end)
    local s = 0 for i = 1, 100 do s = s + co() end
    local t = {} for i = 1, 2000 do t[i] = (i * 7919) % 2003 end table.sort(t)
    return s, t[1], t[2000], select('#', pcall(error, 'x'))`), []);
  let r: ExecutionResult;
  let slices = 0;
  while ((r = exec.resume(100)).status === 'suspended') slices++;
  assert.ok(slices > 10, `expected many slices, got ${slices}`);
  assert.deepEqual(r, { status: 'done', values: [5050, 1, 2002, 2] });
});

test('compile errors read as lua5.1 with the chunk name', () => {
  assert.throws(() => load('x x'), (e: unknown) => e instanceof LuaError && e.message === "user_script:1: '=' expected near 'x'");
  assert.throws(() => load('local function f()\n return 1'),
    (e: unknown) => e instanceof LuaError && e.message === "user_script:2: 'end' expected (to close 'function' at line 1) near '<eof>'");
  assert.throws(() => load('return "\\x41" .. 1 // 2'), /unexpected symbol near '\/'/);
});

test('runtime errors carry position and 5.1 wording', () => {
  const run = (src: string) => new LuaExecution(load(src), []).resume(1e6);
  assert.deepEqual(run('\n\nlocal x\nreturn x.y'), {
    status: 'error',
    error: new LuaError("user_script:4: attempt to index local 'x' (a nil value)"),
    position: { chunk: 'user_script', line: 4 },
  });
  const r = run("error({err = 'My Error'})");
  assert.equal(r.status, 'error');
  const v = (r as { error: LuaError }).error.value;
  assert.ok(v instanceof LuaTable && v.get('err') === 'My Error');
});

test('host functions: arguments, results, LuaLibError gets the caller position', () => {
  const G = createGlobals();
  G.set('redis', tableOf({
    call: hostFunction('call', (args) => {
      if (args[0] === 'FAIL') throw new LuaLibError('Unknown Redis command called from script');
      return [args.length, ...args];
    }),
  }));
  assert.deepEqual(callSync(load("return redis.call('SET', 'k', 1)", G), []), [3, 'SET', 'k', 1]);
  assert.throws(() => callSync(load("\nredis.call('FAIL')", G), []),
    (e: unknown) => e instanceof LuaError && e.message === 'user_script:2: Unknown Redis command called from script');
  assert.deepEqual(callSync(load("return pcall(redis.call, 'FAIL')", G), []), [false, 'Unknown Redis command called from script']);
});

test('sandbox: read-only tables and the missing-global hook', () => {
  const G = createGlobals();
  const meta = new LuaTable();
  meta.set('__index', hostFunction('__index', (args) => {
    throw new LuaLibError(`Script attempted to access nonexistent global variable '${String(args[1])}'`);
  }));
  G.metatable = meta;
  setReadonly(G);
  setReadonly(G.get('table') as LuaTable);
  const run = (src: string) => {
    try {
      return callSync(load(src, G), []);
    } catch (e) {
      return (e as LuaError).message;
    }
  };
  assert.equal(run('x = 1'), 'user_script:1: Attempt to modify a readonly table');
  assert.equal(run('table.insert = nil'), 'user_script:1: Attempt to modify a readonly table');
  assert.equal(run('rawset(_G, "y", 1)'), 'user_script:1: Attempt to modify a readonly table');
  assert.equal(run('setmetatable(_G, nil)'), 'user_script:1: Attempt to modify a readonly table');
  assert.equal(run('return foo'), "user_script:1: Script attempted to access nonexistent global variable 'foo'");
  assert.deepEqual(run('local t = {} t.x = 1 return t.x, type(string)'), [1, 'table']);
});

test('Redis globals: present and absent', () => {
  const G = createGlobals();
  for (const name of ['assert', 'collectgarbage', 'coroutine', 'error', 'gcinfo', 'getmetatable', 'ipairs', 'load',
    'loadstring', 'math', 'next', 'pairs', 'pcall', 'rawequal', 'rawget', 'rawset', 'select', 'setmetatable', 'string',
    'table', 'tonumber', 'tostring', 'type', 'unpack', 'xpcall', '_G', '_VERSION']) {
    assert.notEqual(G.get(name), undefined, name);
  }
  for (const name of ['print', 'dofile', 'loadfile', 'require', 'setfenv', 'getfenv', 'newproxy', 'module', 'os', 'io', 'debug', 'package']) {
    assert.equal(G.get(name), undefined, name);
  }
  assert.equal(G.get('_VERSION'), 'Lua 5.1');
});

test('deep recursion raises stack overflow and the process survives', () => {
  const r = new LuaExecution(load('local function f(n) return f(n + 1) + 1 end return f(1)'), []).resume(1e9);
  assert.equal(r.status, 'error');
  assert.match((r as { error: LuaError }).error.message, /stack overflow/);
  assert.deepEqual(callSync(load('return 1 + 1'), []), [2]);
});

test('math.random is deterministic after resetRandomSeed', () => {
  const f = load('return math.random(), math.random(10), math.random(5, 7)');
  resetRandomSeed();
  const a = callSync(f, []);
  resetRandomSeed();
  const b = callSync(f, []);
  assert.deepEqual(a, b);
  assert.ok((a[0] as number) >= 0 && (a[0] as number) < 1);
});

test('LuaTable: length borders and iteration order', () => {
  const t = new LuaTable();
  for (let i = 1; i <= 10; i++) t.set(i, i);
  t.set('a', 1);
  t.set(2.0, 'two');
  assert.equal(t.get(2), 'two');
  assert.equal(t.length(), 10);
  const keys = [];
  for (let e = t.next(undefined); e; e = t.next(e[0])) keys.push(e[0]);
  assert.deepEqual(keys, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 'a']);
});

// Restartable functions: side-effect-free functions run a synchronous variant first and
// fall back to their generator (from the start) whenever that variant gives up.

test('restartable: a busy loop in a pure function is suspended and killed at the loop', () => {
  const exec = new LuaExecution(load('local function spin(n)\n  local i = 0\n  while n > 0 do i = i + 1 end\n  return i\nend\nreturn spin(1)'), []);
  assert.equal(exec.resume(5_000).status, 'suspended');
  assert.equal(exec.resume(5_000).status, 'suspended');
  assert.deepEqual(exec.kill(), { status: 'killed', position: { chunk: 'user_script', line: 3 } });
});

test('restartable: pauses fall where the generators alone would pause them', () => {
  const source = 'local function fib(n) if n < 2 then return n end return fib(n - 1) + fib(n - 2) end return fib(18)';
  const exec = new LuaExecution(load(source), []);
  let r: ExecutionResult;
  let pauses = 0;
  while ((r = exec.resume(1_000)).status === 'suspended') pauses++;
  assert.deepEqual(r, { status: 'done', values: [2584] });
  // fib(18) makes 8361 calls: one budget unit each, plus the main chunk's
  assert.equal(pauses, 8);
});

test('restartable: metamethods, errors and generator callees make the synchronous variant give up', () => {
  const G = createGlobals();
  const src = [
    'local mt = {__add = function(a, b) return 100 end, __index = function(t, k) return k .. "!" end}',
    'local obj = setmetatable({}, mt)',
    'local function add(a, b) return a + b end',
    'local function get(t, k) return t[k] end',
    'local function bad(x) return x.field end',
    'local function viaPcall(x) return pcall(bad, x) end',
    'local function count(t) local n = 0 for _ in pairs(t) do n = n + 1 end return n end',
    'local ok, err = pcall(bad, nil)',
    'return add(1, 2), add(obj, 1), get(obj, "k"), get({k = 5}, "k"), err, select("#", viaPcall(nil)), count({1, 2, x = 3}), add("10", 5)',
  ].join('\n');
  assert.deepEqual(callSync(load(src, G), []), [3, 100, 'k!', 5, "user_script:5: attempt to index local 'x' (a nil value)", 2, 3, 15]);
});

test('restartable: a pure function never runs twice observably (host calls and writes are not pure)', () => {
  const G = createGlobals();
  let calls = 0;
  G.set('effect', hostFunction('effect', () => [++calls]));
  const src = 'local t = {} local function w(n) t[n] = n return n end local function e() return effect() end ' +
    'local function spin(n) local s = 0 for i = 1, n do s = s + i end return s end ' +
    'local s = 0 for i = 1, 50 do s = s + w(i) + e() + spin(100) end return s, #t';
  const exec = new LuaExecution(load(src, G), []);
  let r: ExecutionResult;
  while ((r = exec.resume(97)).status === 'suspended');
  assert.equal(calls, 50);
  assert.deepEqual(r, { status: 'done', values: [1275 + 1275 + 50 * 5050, 50] });
});

test('restartable: deep recursion of a pure function still works and overflows like Lua', () => {
  assert.deepEqual(callSync(load('local function d(n) if n == 0 then return 0 end return d(n - 1) + 1 end return d(3000)'), []), [3000]);
  const r = new LuaExecution(load('local function f(n) return f(n + 1) + 1 end return f(1)'), []).resume(1e9);
  assert.equal(r.status, 'error');
  assert.match((r as { error: LuaError }).error.message, /stack overflow/);
});
