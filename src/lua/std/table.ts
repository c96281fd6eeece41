/** The Lua 5.1 table library (ltablib.c), with 5.1's quicksort so comparator misuse fails alike. */
import { LuaLibError } from '../errors.js';
import { checkInt, checkString, optInt, toStringOrUndefined } from '../lib/args.js';
import { callValue, le, lt, LuaError, where } from '../runtime.js';
import { LuaTable } from '../table.js';
import { LuaFunction, type LuaGenerator, type LuaValue, truthy } from '../value.js';
import { argError } from '../errors.js';
import { checkTable, generator, host, tableOf } from './util.js';

function rawset(t: LuaTable, k: number, v: LuaValue): void {
  if (t.readonly) throw new LuaError(where(1) + 'Attempt to modify a readonly table');
  t.set(k, v);
}

export function createTableLibrary(): LuaTable {
  return tableOf({
    concat: host('concat', (args) => {
      const t = checkTable(args, 0, 'concat');
      const sep = args[1] === undefined ? '' : checkString(args, 1, 'concat');
      const i = optInt(args, 2, 'concat', 1);
      const last = args[3] === undefined ? t.length() : checkInt(args, 3, 'concat');
      const parts: string[] = [];
      for (let k = i; k <= last; k++) {
        const s = toStringOrUndefined(t.get(k));
        if (s === undefined) throw new LuaLibError(`invalid value (${typeNameForConcat(t.get(k))}) at index ${k} in table for 'concat'`);
        parts.push(s);
      }
      return [parts.join(sep)];
    }),
    insert: host('insert', (args) => {
      const t = checkTable(args, 0, 'insert');
      let e = t.length() + 1;
      let pos: number;
      if (args.length === 2) {
        pos = e;
      } else if (args.length === 3) {
        pos = checkInt(args, 1, 'insert');
        if (pos > e) e = pos;
        for (let i = e; i > pos; i--) rawset(t, i, t.get(i - 1));
      } else {
        throw new LuaLibError("wrong number of arguments to 'insert'");
      }
      rawset(t, pos, args[args.length - 1]);
      return [];
    }),
    remove: host('remove', (args) => {
      const t = checkTable(args, 0, 'remove');
      const e = t.length();
      let pos = optInt(args, 1, 'remove', e);
      if (!(1 <= pos && pos <= e)) return [];
      const v = t.get(pos);
      for (; pos < e; pos++) rawset(t, pos, t.get(pos + 1));
      rawset(t, e, undefined);
      return [v];
    }),
    getn: host('getn', (args) => [checkTable(args, 0, 'getn').length()]),
    setn: host('setn', (args) => {
      checkTable(args, 0, 'setn');
      throw new LuaLibError("'setn' is obsolete");
    }),
    maxn: host('maxn', (args) => {
      const t = checkTable(args, 0, 'maxn');
      let max = 0;
      for (let p = t.nextPosition(-1); p >= 0; p = t.nextPosition(p)) {
        const k = t.keyAt(p);
        if (typeof k === 'number' && k > max) max = k;
      }
      return [max];
    }),
    foreach: generator('foreach', function* host_foreach(...args: LuaValue[]): LuaGenerator {
      const t = checkTable(args, 0, 'foreach');
      const f = checkFunctionArg(args, 1, 'foreach');
      for (let e = t.next(undefined); e !== undefined; e = t.next(e[0])) {
        const r = (yield* callValue(f, [e[0], e[1]]))[0];
        if (r !== undefined) return [r];
      }
      return [];
    }),
    foreachi: generator('foreachi', function* host_foreachi(...args: LuaValue[]): LuaGenerator {
      const t = checkTable(args, 0, 'foreachi');
      const f = checkFunctionArg(args, 1, 'foreachi');
      const n = t.length();
      for (let i = 1; i <= n; i++) {
        const r = (yield* callValue(f, [i, t.get(i)]))[0];
        if (r !== undefined) return [r];
      }
      return [];
    }),
    sort: generator('sort', function* host_sort(...args: LuaValue[]): LuaGenerator {
      const t = checkTable(args, 0, 'sort');
      const n = t.length();
      const cmp = args[1];
      if (cmp !== undefined && !(cmp instanceof LuaFunction)) checkFunctionArg(args, 1, 'sort');
      yield* auxsort(t, 1, n, cmp as LuaFunction | undefined);
      return [];
    }),
  });
}

function checkFunctionArg(args: LuaValue[], i: number, fname: string): LuaFunction {
  const f = args[i];
  if (!(f instanceof LuaFunction)) {
    const got = i >= args.length ? 'no value' : f === undefined ? 'nil' : f instanceof LuaTable ? 'table' : typeof f;
    throw argError(i + 1, fname, `function expected, got ${got}`);
  }
  return f;
}

function* lessThan(a: LuaValue, b: LuaValue, cmp: LuaFunction | undefined): Generator<unknown, boolean, unknown> {
  if (cmp !== undefined) return truthy((yield* callValue(cmp, [a, b]))[0]);
  if (typeof a === 'number' && typeof b === 'number') return a < b;
  return yield* lt(a, b);
}

/** ltablib.c auxsort: the same comparisons in the same order, so results and errors match. */
function* auxsort(t: LuaTable, l: number, u: number, cmp: LuaFunction | undefined): Generator<unknown, void, unknown> {
  const get = (i: number) => t.get(i);
  const set = (i: number, v: LuaValue) => rawset(t, i, v);
  while (l < u) {
    // sort a[l], a[(l+u)/2], a[u]
    let al = get(l);
    let au = get(u);
    if (yield* lessThan(au, al, cmp)) {
      set(l, au);
      set(u, al);
    }
    if (u - l === 1) break;
    let i = Math.floor((l + u) / 2);
    let ai = get(i);
    al = get(l);
    if (yield* lessThan(ai, al, cmp)) {
      set(i, al);
      set(l, ai);
    } else {
      au = get(u);
      if (yield* lessThan(au, ai, cmp)) {
        set(i, au);
        set(u, ai);
      }
    }
    if (u - l === 2) break;
    const pivot = get(i);
    const aum1 = get(u - 1);
    set(i, aum1);
    set(u - 1, pivot);
    i = l;
    let j = u - 1;
    for (;;) {
      let x: LuaValue;
      while ((x = get(++i)), yield* lessThan(x, pivot, cmp)) {
        if (i > u) throw new LuaLibError('invalid order function for sorting');
      }
      let y: LuaValue;
      while ((y = get(--j)), yield* lessThan(pivot, y, cmp)) {
        if (j < l) throw new LuaLibError('invalid order function for sorting');
      }
      if (j < i) break;
      set(i, y);
      set(j, x);
    }
    const a1 = get(u - 1);
    const a2 = get(i);
    set(u - 1, a2);
    set(i, a1);
    if (i - l < u - i) {
      j = l;
      i = i - 1;
      l = i + 2;
    } else {
      j = i + 1;
      i = u;
      u = j - 2;
    }
    yield* auxsort(t, j, i, cmp);
  }
}

void le;

function typeNameForConcat(v: LuaValue): string {
  return v === undefined ? 'nil' : v instanceof LuaTable ? 'table' : v instanceof LuaFunction ? 'function' : typeof v === 'object' ? 'thread' : typeof v;
}
