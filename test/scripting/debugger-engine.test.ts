/**
 * The pieces under the Lua debugger: the engine's debug compile mode (line events,
 * frames, locals, pauses, raising and killing at a paused line), the debugger's
 * command parser (ldbReplParseCommand's grammar and bounds) and its value printer.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compile, createGlobals, LuaExecution, LuaTable, type DebugFrame } from '../../src/lua/index.js';
import { atoi, luaValueRepr, parseDebuggerCommand } from '../../src/scripting/debugger.js';

function debugRun(source: string, stopAt: (f: DebugFrame) => boolean = () => false) {
  const fn = compile(source, '@user_script', createGlobals(), { debug: true });
  const events: string[] = [];
  const exec = new LuaExecution(fn, [], (f) => {
    events.push(`${f.line}${f.name ? ':' + f.name : ''}`);
    return stopAt(f);
  });
  return { exec, events };
}

test('debug compile: line events per lua5.1 (closures at end, loop heads, implicit returns)', () => {
  const { exec, events } = debugRun('local function f(x)\n  return x\nend\nlocal s = 0\nfor i = 1, 2 do\n  s = s + f(i)\nend\nwhile true do break end\nreturn s');
  const r = exec.resume(1e6);
  assert.equal(r.status, 'done');
  assert.deepEqual(r.status === 'done' && r.values, [3]);
  assert.deepEqual(events, ['3', '4', '5', '6', '2:f', '5', '6', '2:f', '5', '8', '9']);
});

test('debug compile: a pause reports the frame, its locals and its callers; resume goes on', () => {
  const source = 'local a = 1\nlocal function g(b)\n  local c = b + a\n  return c\nend\nlocal r = g(41)\nreturn g(r)';
  const { exec } = debugRun(source, (f) => f.line === 4);
  assert.equal(exec.resume(1e6).status, 'paused');
  let frame = exec.currentFrame!;
  assert.equal(frame.name, 'g');
  assert.deepEqual(frame.locals(), [['b', 41], ['c', 42]]);
  assert.equal(frame.parent?.line, 6);
  assert.equal(frame.parent?.name, null);
  assert.deepEqual(frame.parent?.locals().map(([n]) => n), ['a', 'g']);
  assert.equal(exec.resume(1e6).status, 'paused');
  frame = exec.currentFrame!;
  // A tail call: no name and no caller level, as lua5.1 reports it.
  assert.equal(frame.name, null);
  assert.equal(frame.parent, null);
  const r = exec.resume(1e6);
  assert.deepEqual(r.status === 'done' && r.values, [43]);
});

test('debug compile: raise() raises at the paused line (pcall catches it), kill() kills there', () => {
  const caught = debugRun('local ok, e = pcall(function()\n  return 1\nend)\nreturn e', (f) => f.line === 2);
  assert.equal(caught.exec.resume(1e6).status, 'paused');
  const r = caught.exec.raise('stop here', 1e6);
  assert.deepEqual(r.status === 'done' && r.values, ['stop here']);

  const killed = debugRun('local x = 1\nreturn x', (f) => f.line === 2);
  assert.equal(killed.exec.resume(1e6).status, 'paused');
  assert.deepEqual(killed.exec.kill(), { status: 'killed', position: { chunk: 'user_script', line: 2 } });
});

test('debug compile: loops expose their state as lua5.1 names it', () => {
  const seen: [string, unknown][][] = [];
  const { exec } = debugRun('for i = 10, 11 do\n  local x = i\nend\nfor k, v in ipairs({7}) do\n  local y = v\nend', (f) => {
    if (f.line === 2 || f.line === 5) seen.push(f.locals());
    return false;
  });
  assert.equal(exec.resume(1e6).status, 'done');
  assert.deepEqual(seen[0], [['(for index)', 10], ['(for limit)', 11], ['(for step)', 1], ['i', 10]]);
  assert.deepEqual(seen[2]!.map(([n]) => n), ['(for generator)', '(for state)', '(for control)', 'k', 'v']);
  assert.equal(seen[2]![2]![1], 1);
});

test('a normal compile has no line events and never pauses', () => {
  const fn = compile('local a = 1\nreturn a + 1', '@user_script', createGlobals());
  let events = 0;
  const r = new LuaExecution(fn, [], () => ++events > 0).resume(1e6);
  assert.deepEqual(r.status === 'done' && r.values, [2]);
  assert.equal(events, 0);
});

test('the debugger command parser: the grammar, its bounds and C-string searches', () => {
  assert.deepEqual(parseDebuggerCommand('*2\r\n$1\r\np\r\n$3\r\nabc\r\n'), ['p', 'abc']);
  assert.deepEqual(parseDebuggerCommand('junk*1\r\n$1\r\ns\r\nrest'), ['s']);
  assert.deepEqual(parseDebuggerCommand('*1x\r\n$1y\r\ns\r\n'), ['s'], 'counts are read with atoi');
  assert.deepEqual(parseDebuggerCommand('*1\r\n$3\r\na\0b\r\n'), ['a\0b'], 'arguments are binary');
  assert.equal(parseDebuggerCommand(''), 'more');
  assert.equal(parseDebuggerCommand('*1'), 'more');
  assert.equal(parseDebuggerCommand('*1\r\n$2\r\nab'), 'more');
  assert.equal(parseDebuggerCommand('*1\r\n\0'), 'more', 'a NUL where $ is expected waits, as *p == 0 does');
  assert.equal(parseDebuggerCommand('s\r\n'), 'error');
  assert.equal(parseDebuggerCommand('\0*1\r\n$1\r\ns\r\n'), 'error', 'strchr stops at the NUL');
  assert.equal(parseDebuggerCommand('*0\r\n'), 'error');
  assert.equal(parseDebuggerCommand('*1025\r\n'), 'error');
  assert.deepEqual(parseDebuggerCommand('*1024\r\n'), 'more');
  assert.equal(parseDebuggerCommand('*1\r\n$0\r\n\r\n'), 'error');
  assert.equal(parseDebuggerCommand('*1\r\n$1025\r\n'), 'error');
  assert.equal(parseDebuggerCommand('*1\r\n$1\r\nabc'), 'error');
  assert.equal(parseDebuggerCommand('*1\r\nx'), 'error');
  assert.equal(atoi('  -12abc'), -12);
  assert.equal(atoi('abc'), 0);
  assert.equal(atoi('99999999999999'), 2 ** 31 - 1);
});

test('values print as ldbCatStackValue prints them', () => {
  const nested = new LuaTable();
  nested.set('a', 1);
  const t = new LuaTable();
  t.set(1, 'x\n');
  t.set(2, nested);
  t.set(3, 3.14159265);
  assert.equal(luaValueRepr(t), '{"x\\n"; {["a"]=1}; 3.14159}');
  const hash = new LuaTable();
  hash.set(2, true);
  assert.equal(luaValueRepr(hash), '{[2]=true}');
  assert.equal(luaValueRepr(undefined), 'nil');
  assert.equal(luaValueRepr(1e20), '1e+20');
  let deep = new LuaTable();
  const top = deep;
  for (let i = 0; i < 12; i++) {
    const inner = new LuaTable();
    deep.set(1, inner);
    deep = inner;
  }
  assert.match(luaValueRepr(top), /<max recursion level reached! Nested table\?>/);
});
