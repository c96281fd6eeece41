/** Differential harness: runs a snippet through the engine and through lua5.1. */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { compile, createGlobals, LuaExecution, LuaFunction, type LuaValue } from '../../src/lua/index.js';
import { toStringMeta } from '../../src/lua/runtime.js';
import { useStockLua51StringHash } from '../../src/lua/table.js';

// lua5.1 is the oracle here: hash long strings the way stock lua5.1 does, not Redis.
useStockLua51StringHash(true);

export const ORACLE = '/usr/bin/lua5.1';
export const oracleAvailable = existsSync(ORACLE);

/** Engine output: what print wrote, then "ERROR: msg" for an uncaught error. */
export function runEngine(source: string, budget = Infinity): string {
  let out = '';
  const G = createGlobals();
  G.set('print', LuaFunction.fromGenerator('print', function* host_print(...args: LuaValue[]) {
    const parts: string[] = [];
    for (const a of args) parts.push(String(yield* toStringMeta(a)));
    // lua5.1's print writes each string with fputs: a NUL byte ends it
    out += parts.map((p) => { const z = p.indexOf('\0'); return z < 0 ? p : p.slice(0, z); }).join('\t') + '\n';
    return [];
  }));
  let fn: LuaFunction;
  try {
    fn = compile(source, '=stdin', G);
  } catch (e) {
    return out + 'ERROR: ' + (e as Error).message + '\n';
  }
  const exec = new LuaExecution(fn, []);
  for (;;) {
    const r = exec.resume(budget);
    if (r.status === 'suspended') continue;
    if (r.status === 'error') {
      // lua.c's report for a non-string error value
      const v = r.error.value;
      const text = typeof v === 'string' || typeof v === 'number' ? r.error.message : '(error object is not a string)';
      out += 'ERROR: ' + text + '\n';
    }
    if (r.status === 'killed') out += 'KILLED\n';
    return out;
  }
}

/** lua5.1 output in the same form (stdin chunk is named "stdin"). */
export function runOracle(source: string): string {
  const r = spawnSync(ORACLE, ['-'], { input: Buffer.from(source, 'latin1'), timeout: 10000 });
  let out = r.stdout.toString('latin1');
  const err = r.stderr.toString('latin1');
  if (err) {
    const first = err.split('\n')[0].replace(/^\S*lua5\.1: /, '');
    out += 'ERROR: ' + first + '\n';
  }
  return out;
}
