/** Small helpers shared by the standard library modules. */
import { argError } from '../errors.js';
import { argTypeName } from '../lib/args.js';
import { LuaTable } from '../table.js';
import { LuaFunction, type HostFunction, type LuaGenerator, type LuaValue } from '../value.js';

export function host(name: string, fn: HostFunction): LuaFunction {
  return LuaFunction.fromHost(name, fn);
}

/** A host function that calls back into Lua: a generator (named host_* for error levels). */
export function generator(name: string, fn: (...args: LuaValue[]) => LuaGenerator): LuaFunction {
  return LuaFunction.fromGenerator(name, fn);
}

export function checkTable(args: readonly LuaValue[], i: number, fname: string): LuaTable {
  const t = args[i];
  if (!(t instanceof LuaTable)) throw argError(i + 1, fname, `table expected, got ${argTypeName(args, i)}`);
  return t;
}

export function checkAny(args: readonly LuaValue[], i: number, fname: string): void {
  if (i >= args.length) throw argError(i + 1, fname, 'value expected');
}

export function checkFunction(args: readonly LuaValue[], i: number, fname: string): LuaFunction {
  const f = args[i];
  if (!(f instanceof LuaFunction)) throw argError(i + 1, fname, `function expected, got ${argTypeName(args, i)}`);
  return f;
}

export function tableOf(entries: Record<string, LuaValue>): LuaTable {
  const t = new LuaTable();
  for (const [k, v] of Object.entries(entries)) t.set(k, v);
  return t;
}
