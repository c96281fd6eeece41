/**
 * Lua engine micro-benchmarks (npm run bench:lua): per-call cost of a loaded script
 * function calling a host function, fib(27), a 1e7 numeric loop, and a 1e6-piece
 * string build with table.concat. Results are checked, and compared with targets.
 */
import { callSync, compile, createGlobals, hostFunction, LuaExecution, LuaFunction, LuaTable } from '../src/lua/index.js';
import type { LuaValue } from '../src/lua/index.js';

function timeMs(fn: () => void): number {
  const t = performance.now();
  fn();
  return performance.now() - t;
}

function best(n: number, fn: () => void): number {
  let m = Infinity;
  for (let i = 0; i < n; i++) m = Math.min(m, timeMs(fn));
  return m;
}

function check(cond: boolean, what: string): void {
  if (!cond) {
    console.error(`WRONG RESULT: ${what}`);
    process.exitCode = 1;
  }
}

const G = createGlobals();
let lastSet: LuaValue;
G.set('host', hostFunction('host', (args) => {
  lastSet = args[2];
  return ['OK'];
}));

// 1. per-call cost of a loaded function(keys, args)
const loader = compile("return function(keys, args) return host('SET', keys[1], args[1]) end", '@user_script', G);
const fn = callSync(loader, [])[0] as LuaFunction;
const keys = new LuaTable();
keys.set(1, 'k');
const argv = new LuaTable();
argv.set(1, 'v');
const CALLS = 1_000_000;
const runCalls = () => {
  for (let i = 0; i < CALLS; i++) {
    const exec = new LuaExecution(fn, [keys, argv]);
    const r = exec.resume(100_000);
    if (r.status !== 'done' || r.values[0] !== 'OK') throw new Error('bad call result');
  }
};
runCalls();
const callMs = best(3, runCalls);
check(lastSet === 'v', 'host saw ARGV[1]');
const nsPerCall = (callMs * 1e6) / CALLS;

// 2. fib(27)
const fibFn = compile('local function fib(n) if n < 2 then return n end return fib(n-1) + fib(n-2) end return fib(27)', '@fib', G);
let fibResult: LuaValue;
const fibMs = best(5, () => {
  fibResult = callSync(fibFn, [])[0];
});
check(fibResult === 196418, `fib(27) = ${String(fibResult)}`);

// 3. 1e7 numeric loop
const loopFn = compile('local s = 0 for i = 1, 1e7 do s = s + i end return s', '@loop', G);
let loopResult: LuaValue;
const loopMs = best(3, () => {
  loopResult = callSync(loopFn, [])[0];
});
check(loopResult === 50000005000000, `sum = ${String(loopResult)}`);

// 4. 1e6 string build
const strFn = compile('local t = {} for i = 1, 1e6 do t[#t + 1] = "x" .. i end return #table.concat(t)', '@concat', G);
let strResult: LuaValue;
const strMs = best(3, () => {
  strResult = callSync(strFn, [])[0];
});
check(strResult === 6888896, `concat length = ${String(strResult)}`);

console.log(`per call (host SET, LuaExecution): ${nsPerCall.toFixed(0)} ns  (target <= 200)`);
console.log(`fib(27):                           ${fibMs.toFixed(1)} ms  (target <= 60)`);
console.log(`1e7 numeric loop:                  ${loopMs.toFixed(1)} ms`);
console.log(`1e6 string build + table.concat:   ${strMs.toFixed(1)} ms`);
