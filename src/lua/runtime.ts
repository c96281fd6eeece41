/**
 * Runtime support for compiled Lua: the slow paths of indexing, calls, arithmetic,
 * comparison and concatenation (metamethods, coercions, error messages), error
 * values with "chunk:LINE:" positions, and the kill signal.
 *
 * Compiled code receives the object `R` built by `createRuntimeHelpers`, so every
 * helper is one property load away.
 */
import { LuaLibError } from './errors.js';
import { negativeNaN, numberToString, stringToNumber } from './lib/number.js';
import { LuaTable } from './table.js';
import { Coroutine, LuaFunction, type LuaGenerator, type LuaValue, type } from './value.js';

/** A Lua error: carries the raised Lua value (a string with position, or any value). */
export class LuaError extends Error {
  /** Lua traceback-less: `value` is what pcall returns as its second result. */
  constructor(public readonly value: LuaValue) {
    super(typeof value === 'string' ? value : typeof value === 'number' ? numberToString(value) : `(error object is a ${type(value)} value)`);
    this.name = 'LuaError';
  }
}

/** Raised into a running script by a kill; pcall and coroutine.resume never catch it. */
export class LuaKill extends Error {
  constructor() {
    super('script killed');
    this.name = 'LuaKill';
  }
}

/** What a coroutine body yields to its resume (the budget check yields 0 instead). */
export class CoroutineYield {
  constructor(public readonly values: LuaValue[]) {}
}

export const EMPTY: LuaValue[] = Object.freeze([]) as unknown as LuaValue[];

// ---------------------------------------------------------------------------
// Positions from the JavaScript stack (see compiler.ts: JS line == Lua line).

const SOURCE_PREFIX = 'lua@';
/** Lines added by `new Function` before the body. */
const HEADER_LINES = 2;
/** Host generator functions (pcall, sort, ...) are named with this prefix: they count as C levels. */
export const HOST_FRAME_PREFIX = 'host_';

export function sourceUrlFor(displayName: string): string {
  return SOURCE_PREFIX + encodeURIComponent(displayName);
}

interface Level {
  /** null for a host (C) function level */
  chunk: string | null;
  line: number;
}

interface CallSiteLike {
  getScriptNameOrSourceURL(): string | null;
  getLineNumber(): number | null;
  getFunctionName(): string | null;
}

function levelsFromCallSites(sites: CallSiteLike[]): Level[] {
  const out: Level[] = [];
  for (const s of sites) {
    const url = s.getScriptNameOrSourceURL();
    if (url && url.startsWith(SOURCE_PREFIX)) {
      out.push({ chunk: decodeURIComponent(url.slice(SOURCE_PREFIX.length)), line: (s.getLineNumber() ?? 0) - HEADER_LINES });
    } else {
      const fname = s.getFunctionName();
      if (fname && fname.startsWith(HOST_FRAME_PREFIX)) out.push({ chunk: null, line: -1 });
    }
  }
  return out;
}

const levelsCache = new WeakMap<Error, Level[]>();

/** The Lua/host call levels recorded in an Error's stack (innermost first). */
function levelsOf(err: Error): Level[] {
  const cached = levelsCache.get(err);
  if (cached) return cached;
  const saved = Error.prepareStackTrace;
  let levels: Level[] = [];
  Error.prepareStackTrace = (_e, sites) => {
    levels = levelsFromCallSites(sites as unknown as CallSiteLike[]);
    return '';
  };
  try {
    void err.stack;
  } finally {
    Error.prepareStackTrace = saved;
  }
  levelsCache.set(err, levels);
  return levels;
}

/** luaL_where(level): "chunk:LINE: " for a Lua level, "" for a host level or none. */
export function where(level: number): string {
  const savedLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 64;
  const e = new Error();
  Error.stackTraceLimit = savedLimit;
  return whereIn(e, level);
}

function whereIn(e: Error, level: number): string {
  const levels = levelsOf(e);
  const l = levels[level - 1];
  if (!l || l.chunk === null) return '';
  return `${l.chunk}:${l.line}: `;
}

/** A position in Lua source: the chunk's display name ("user_script") and a line. */
export interface LuaPosition {
  chunk: string;
  line: number;
}

/**
 * The innermost Lua level recorded in an exception's stack: where a script was when
 * it raised `e` (what Redis's error handler reads with debug.getinfo). Reads the same
 * cached levels as toLuaError, so both agree even though V8 formats a stack only once.
 */
export function errorPosition(e: unknown): LuaPosition | null {
  if (!(e instanceof Error)) return null;
  for (const l of levelsOf(e)) if (l.chunk !== null) return { chunk: l.chunk, line: l.line };
  return null;
}

/**
 * Raises the kill from inside the compiled code's budget check (see compiler.ts), so
 * the exception's stack holds the script's current line.
 */
export function raiseKill(): never {
  throw new LuaKill();
}

/** A runtime error raised at the current Lua position (luaG_runerror). */
export function runtimeError(message: string): LuaError {
  return new LuaError(where(1) + message);
}

/**
 * Any exception caught by pcall / resume / the host, as a LuaError. LuaKill is not
 * converted (callers test for it first).
 */
export function toLuaError(e: unknown): LuaError {
  if (e instanceof LuaError) return e;
  if (e instanceof LuaLibError) return new LuaError(whereIn(e, 1) + e.message);
  if (e instanceof RangeError && /call stack/.test(e.message)) return new LuaError(whereIn(e, 1) + 'stack overflow');
  if (e instanceof Error) return new LuaError(whereIn(e, 1) + e.message);
  return new LuaError(String(e));
}

// ---------------------------------------------------------------------------
// Metatables and metamethods

/** The shared metatable of strings (its __index is the string library). */
export const stringMetaHolder: { meta: LuaTable | null } = { meta: null };

export function getMetatable(v: LuaValue): LuaTable | null {
  if (v instanceof LuaTable) return v.metatable;
  if (typeof v === 'string') return stringMetaHolder.meta;
  return null;
}

export function metamethod(v: LuaValue, event: string): LuaValue {
  const mt = getMetatable(v);
  return mt === null ? undefined : mt.getStr(event);
}

function typeError(v: LuaValue, op: string, desc: string | undefined): LuaError {
  const t = type(v);
  return runtimeError(desc ? `attempt to ${op} ${desc} (a ${t} value)` : `attempt to ${op} a ${t} value`);
}

/** Calls any Lua value with the given arguments (generator-aware). */
export function* callValue(f: LuaValue, args: LuaValue[]): LuaGenerator {
  if (f instanceof LuaFunction) {
    if (f.host !== null) return f.host(args);
    return yield* f.gen!(...args);
  }
  return yield* call(f, args, undefined);
}

/** The first result of calling f. */
export function* callValue1(f: LuaValue, args: LuaValue[]): Generator<unknown, LuaValue, unknown> {
  const r = yield* callValue(f, args);
  return r[0];
}

/** Call of a non-function value: __call, or "attempt to call ...". */
export function* call(f: LuaValue, args: LuaValue[], desc: string | undefined): LuaGenerator {
  if (f instanceof LuaFunction) return yield* callValue(f, args);
  const tm = metamethod(f, '__call');
  if (!(tm instanceof LuaFunction)) throw typeError(f, 'call', desc);
  return yield* callValue(tm, [f, ...args]);
}

const MAX_TAG_LOOP = 100;

/** luaV_gettable */
export function* index(o: LuaValue, k: LuaValue, desc: string | undefined): Generator<unknown, LuaValue, unknown> {
  for (let loop = 0; loop < MAX_TAG_LOOP; loop++) {
    let tm: LuaValue;
    if (o instanceof LuaTable) {
      const v = o.get(k);
      if (v !== undefined || o.metatable === null) return v;
      tm = o.metatable.getStr('__index');
      if (tm === undefined) return undefined;
    } else {
      tm = metamethod(o, '__index');
      if (tm === undefined) throw typeError(o, 'index', loop === 0 ? desc : undefined);
    }
    if (tm instanceof LuaFunction) return yield* callValue1(tm, [o, k]);
    o = tm;
  }
  throw runtimeError('loop in gettable');
}

/** luaV_settable */
export function* setindex(o: LuaValue, k: LuaValue, v: LuaValue, desc: string | undefined): Generator<unknown, void, unknown> {
  for (let loop = 0; loop < MAX_TAG_LOOP; loop++) {
    let tm: LuaValue;
    if (o instanceof LuaTable) {
      if (o.readonly) throw runtimeError('Attempt to modify a readonly table');
      if (o.metatable === null || o.get(k) !== undefined || (tm = o.metatable.getStr('__newindex')) === undefined) {
        rawsetChecked(o, k, v);
        return;
      }
    } else {
      tm = metamethod(o, '__newindex');
      if (tm === undefined) throw typeError(o, 'index', loop === 0 ? desc : undefined);
    }
    if (tm instanceof LuaFunction) {
      yield* callValue(tm, [o, k, v]);
      return;
    }
    o = tm;
  }
  throw runtimeError('loop in settable');
}

/** Raw set with Lua's key checks. */
export function rawsetChecked(t: LuaTable, k: LuaValue, v: LuaValue): void {
  if (k === undefined) throw runtimeError('table index is nil');
  if (k !== k) throw runtimeError('table index is NaN');
  t.set(k, v);
}

/** SETLIST: store `values` at array positions offset+1.. */
export function setList(t: LuaTable, offset: number, values: LuaValue[]): void {
  t.ensureArraySize(offset + values.length);
  const arr = t.arr;
  for (let i = 0; i < values.length; i++) arr[offset + i] = values[i];
}

/** tonumber for arithmetic operands: numbers, and strings that convert. */
export function toNumber(v: LuaValue): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') return stringToNumber(v);
  return undefined;
}

/** C pow(): unlike Math.pow, pow(1, y) and pow(-1, ±inf) are 1. */
export function pow(a: number, b: number): number {
  if (a === 1 || ((b === Infinity || b === -Infinity) && a === -1)) return 1;
  const r = Math.pow(a, b);
  if (r !== r && a === a && b === b) return negativeNaN; // glibc's pow gives -nan
  return r;
}

const ARITH_EVENTS: Record<string, string> = {
  '+': '__add', '-': '__sub', '*': '__mul', '/': '__div', '%': '__mod', '^': '__pow',
};

export function arithNumbers(op: string, a: number, b: number): number {
  switch (op) {
    case '+': return a + b;
    case '-': return a - b;
    case '*': return a * b;
    case '/': return a / b;
    case '%': return a - Math.floor(a / b) * b;
    default: return pow(a, b);
  }
}

function binaryMetamethod(a: LuaValue, b: LuaValue, event: string): LuaValue {
  let tm = metamethod(a, event);
  if (tm === undefined) tm = metamethod(b, event);
  return tm;
}

/** Arith(): coercion, metamethod, or "attempt to perform arithmetic on ...". */
export function* arith(op: string, a: LuaValue, b: LuaValue, da: string | undefined, db: string | undefined): Generator<unknown, LuaValue, unknown> {
  const x = toNumber(a);
  const y = toNumber(b);
  if (x !== undefined && y !== undefined) return arithNumbers(op, x, y);
  const tm = binaryMetamethod(a, b, ARITH_EVENTS[op]);
  if (tm !== undefined) return yield* callValue1(tm, [a, b]);
  if (x === undefined) throw typeError(a, 'perform arithmetic on', da);
  throw typeError(b, 'perform arithmetic on', db);
}

export function* unm(a: LuaValue, da: string | undefined): Generator<unknown, LuaValue, unknown> {
  const x = toNumber(a);
  if (x !== undefined) return -x;
  const tm = metamethod(a, '__unm');
  if (tm !== undefined) return yield* callValue1(tm, [a, a]);
  throw typeError(a, 'perform arithmetic on', da);
}

/** '#' on anything but strings and tables: 5.1 honours __len only for userdata. */
export function len(a: LuaValue, da: string | undefined): number {
  if (typeof a === 'string') return a.length;
  if (a instanceof LuaTable) return a.length();
  throw typeError(a, 'get length of', da);
}

/**
 * a .. b without metamethods: the string, or undefined when a __concat metamethod
 * must be tried (concatMeta). Numbers format with %.14g.
 */
export function concat(a: LuaValue, b: LuaValue, _da: string | undefined, _db: string | undefined): string | undefined {
  const sa = typeof a === 'string' ? a : typeof a === 'number' ? numberToString(a) : undefined;
  const sb = typeof b === 'string' ? b : typeof b === 'number' ? numberToString(b) : undefined;
  if (sa !== undefined && sb !== undefined) return sa + sb;
  return undefined;
}

export function* concatMeta(a: LuaValue, b: LuaValue, da: string | undefined, db: string | undefined): Generator<unknown, LuaValue, unknown> {
  const tm = binaryMetamethod(a, b, '__concat');
  if (tm !== undefined) return yield* callValue1(tm, [a, b]);
  if (typeof a === 'string' || typeof a === 'number') throw typeError(b, 'concatenate', db);
  throw typeError(a, 'concatenate', da);
}

function truthy(v: LuaValue): boolean {
  return v !== undefined && v !== false;
}

/** __eq for two distinct tables: both metatables must give the same __eq. */
export function* eqMeta(a: LuaTable, b: LuaTable): Generator<unknown, boolean, unknown> {
  const tm1 = a.metatable?.getStr('__eq');
  if (tm1 === undefined) return false;
  const tm2 = b.metatable?.getStr('__eq');
  if (tm1 !== tm2) return false;
  return truthy(yield* callValue1(tm1, [a, b]));
}

/** Lua equality without metamethods (rawequal). */
export function rawEquals(a: LuaValue, b: LuaValue): boolean {
  return a === b || (a !== a && false);
}

function orderError(a: LuaValue, b: LuaValue): LuaError {
  const t1 = type(a);
  const t2 = type(b);
  return runtimeError(t1 === t2 ? `attempt to compare two ${t1} values` : `attempt to compare ${t1} with ${t2}`);
}

function orderMetamethod(a: LuaValue, b: LuaValue, event: string): LuaValue {
  const tm1 = metamethod(a, event);
  if (tm1 === undefined) return undefined;
  const tm2 = metamethod(b, event);
  return tm1 === tm2 ? tm1 : undefined;
}

export function* lt(a: LuaValue, b: LuaValue): Generator<unknown, boolean, unknown> {
  const ta = typeof a;
  if (ta !== typeof b || type(a) !== type(b)) throw orderError(a, b);
  if (ta === 'number' || ta === 'string') return (a as string) < (b as string);
  const tm = orderMetamethod(a, b, '__lt');
  if (tm === undefined) throw orderError(a, b);
  return truthy(yield* callValue1(tm, [a, b]));
}

export function* le(a: LuaValue, b: LuaValue): Generator<unknown, boolean, unknown> {
  const ta = typeof a;
  if (ta !== typeof b || type(a) !== type(b)) throw orderError(a, b);
  if (ta === 'number' || ta === 'string') return (a as string) <= (b as string);
  let tm = orderMetamethod(a, b, '__le');
  if (tm !== undefined) return truthy(yield* callValue1(tm, [a, b]));
  tm = orderMetamethod(b, a, '__lt');
  if (tm !== undefined) return !truthy(yield* callValue1(tm, [b, a]));
  throw orderError(a, b);
}

/** Numeric for: initial value, limit and step must be numbers (strings convert). */
export function forNum(v: LuaValue, what: 'initial' | 'limit' | 'step'): number {
  const n = toNumber(v);
  if (n === undefined) throw runtimeError(what === 'initial' ? "'for' initial value must be a number" : `'for' ${what} must be a number`);
  return n;
}

/** Iterator functions the compiled generic for recognises (set by the base library). */
export const iteratorFunctions: { next: LuaFunction | null; ipairs: LuaFunction | null } = { next: null, ipairs: null };

/** 1: traverse a table with next; 2: ipairs over a table; 0: call the iterator. */
export function forMode(f: LuaValue, s: LuaValue): number {
  if (s instanceof LuaTable) {
    if (f === iteratorFunctions.next) return 1;
    if (f === iteratorFunctions.ipairs) return 2;
  }
  return 0;
}

// ---------------------------------------------------------------------------
// tostring

const addresses = new WeakMap<object, number>();
let nextAddress = 0x55d0c0de0000;

export function addressOf(o: object): string {
  let a = addresses.get(o);
  if (a === undefined) {
    a = nextAddress;
    nextAddress += 0x40;
    addresses.set(o, a);
  }
  return '0x' + a.toString(16).padStart(8, '0');
}

/** tostring() without __tostring. */
export function rawToString(v: LuaValue): string {
  switch (typeof v) {
    case 'undefined': return 'nil';
    case 'boolean': return v ? 'true' : 'false';
    case 'number': return numberToString(v);
    case 'string': return v;
    default:
      if (v instanceof LuaFunction) return 'function: ' + addressOf(v);
      if (v instanceof Coroutine) return 'thread: ' + addressOf(v);
      if (v instanceof LuaTable) return 'table: ' + addressOf(v);
      return 'userdata: (nil)'; // cjson.null: a NULL light userdata, printed with %p
  }
}

/** luaL_tolstring-like tostring honouring __tostring. */
export function* toStringMeta(v: LuaValue): Generator<unknown, LuaValue, unknown> {
  const tm = metamethod(v, '__tostring');
  if (tm !== undefined) return yield* callValue1(tm, [v]);
  return rawToString(v);
}

/**
 * A host function called as a method (obj:f()): like luaL_argerror, argument numbers in
 * "bad argument" messages do not count self ("calling 'f' on bad self" for self).
 */
export function hostMethod(f: LuaFunction, args: LuaValue[]): LuaValue[] {
  try {
    return f.host!(args);
  } catch (e) {
    if (e instanceof LuaLibError) {
      const m = /^bad argument #(\d+) to '([^']*)' \((.*)\)$/s.exec(e.message);
      if (m) {
        const n = Number(m[1]) - 1;
        throw new LuaLibError(n === 0 ? `calling '${m[2]}' on bad self (${m[3]})` : `bad argument #${n} to '${m[2]}' (${m[3]})`);
      }
    }
    throw e;
  }
}

/**
 * The rest of a Lua call whose first step paused (compiled calls run a callee with a
 * direct next(), cheaper than yield*): passes each pause up and what resumes it
 * (a kill, a coroutine's values) back down, and returns the callee's results.
 */
export function* resumeCall(callee: LuaGenerator, first: IteratorResult<unknown, LuaValue[]>): LuaGenerator {
  let step = first;
  while (!step.done) step = callee.next(yield step.value);
  return step.value;
}

/**
 * Restartable functions. A side-effect-free Lua function also has a synchronous
 * variant (compiler.ts) that is much cheaper to call than a generator. It cannot pause,
 * so whenever it would need to (budget spent, a metamethod, a call to a generator, an
 * error) it throws; as it has changed nothing observable, the caller simply runs the
 * generator from the start, which then pauses or raises exactly where it should.
 */
const GIVE_UP_BUDGET = { reason: 'budget' };
const GIVE_UP = { reason: 'needs a generator' };
/** What trySync returns when the synchronous attempt gave up. */
export const SYNC_FAILED: LuaValue[] = [];

/** In a synchronous variant: the budget is spent. */
export function budgetOut(): never {
  throw GIVE_UP_BUDGET;
}

/** In a synchronous variant: where the generator would `yield*` (its argument is an unstarted generator). */
export function needGenerator(_unstarted?: unknown): never {
  throw GIVE_UP;
}

/**
 * False from a synchronous attempt that ran out of budget until the next pause: the
 * rest of the slice runs in generators, so pauses fall exactly where they would
 * without synchronous variants (the attempt's budget is refunded), and at most one
 * attempt per slice is wasted.
 */
let syncAttempts = true;

/** Called by the driver whenever it resumes a script. */
export function allowSyncAttempts(): void {
  syncAttempts = true;
}

function gaveUp(f: LuaFunction, e: unknown, budgetBefore: number): LuaValue[] {
  // the generator redoes the work, so it spends the budget instead
  R.budget = budgetBefore;
  if (e === GIVE_UP_BUDGET) syncAttempts = false;
  else f.sync = null;
  return SYNC_FAILED;
}

/** Call sites with up to three fixed arguments try a function's synchronous variant first. */
export function trySync0(f: LuaFunction): LuaValue[] {
  if (!syncAttempts) return SYNC_FAILED;
  const budget = R.budget;
  try { return f.sync!(); } catch (e) { return gaveUp(f, e, budget); }
}
export function trySync1(f: LuaFunction, a: LuaValue): LuaValue[] {
  if (!syncAttempts) return SYNC_FAILED;
  const budget = R.budget;
  try { return f.sync!(a); } catch (e) { return gaveUp(f, e, budget); }
}
export function trySync2(f: LuaFunction, a: LuaValue, b: LuaValue): LuaValue[] {
  if (!syncAttempts) return SYNC_FAILED;
  const budget = R.budget;
  try { return f.sync!(a, b); } catch (e) { return gaveUp(f, e, budget); }
}
export function trySync3(f: LuaFunction, a: LuaValue, b: LuaValue, c: LuaValue): LuaValue[] {
  if (!syncAttempts) return SYNC_FAILED;
  const budget = R.budget;
  try { return f.sync!(a, b, c); } catch (e) { return gaveUp(f, e, budget); }
}

/** The object compiled code calls `R`. */
export interface RuntimeHelpers {
  budget: number;
  E: LuaValue[];
  index: typeof index;
  setindex: typeof setindex;
  call: typeof call;
  arith: typeof arith;
  unm: typeof unm;
  len: typeof len;
  concat: typeof concat;
  concatMeta: typeof concatMeta;
  eqMeta: typeof eqMeta;
  lt: typeof lt;
  le: typeof le;
  pow: typeof pow;
  forNum: typeof forNum;
  hostMethod: typeof hostMethod;
  forMode: typeof forMode;
  rawsetChecked: typeof rawsetChecked;
  setList: typeof setList;
  raiseKill: typeof raiseKill;
  resumeCall: typeof resumeCall;
  budgetOut: typeof budgetOut;
  needGenerator: typeof needGenerator;
  SYNC_FAILED: LuaValue[];
  trySync0: typeof trySync0;
  trySync1: typeof trySync1;
  trySync2: typeof trySync2;
  trySync3: typeof trySync3;
  // Called by chunks compiled for debugging only.
  dbgCall: typeof dbgCall;
  dbgEnter: typeof dbgEnter;
  dbgLeave: typeof dbgLeave;
  dbgLine: typeof dbgLine;
  dbgResumed: typeof dbgResumed;
  DP: typeof DEBUG_PAUSE;
}

/** What a debug-compiled chunk yields to pause at a line (LuaExecution reports 'paused'). */
export const DEBUG_PAUSE = Object.freeze({ debugPause: true });

/** The single helper object shared by all compiled chunks (budget is global to the engine). */
/**
 * Largest budget slice: R.budget always holds a small integer (a V8 Smi) so that the
 * decrement at every call and loop iteration stays cheap. Larger budgets run in slices.
 */
export const MAX_BUDGET_SLICE = 0x3fffffff;

export const R: RuntimeHelpers = {
  budget: MAX_BUDGET_SLICE,
  E: EMPTY,
  index, setindex, call, arith, unm, len, concat, concatMeta, eqMeta, lt, le, pow,
  forNum, forMode, rawsetChecked, setList, hostMethod, raiseKill, resumeCall,
  budgetOut, needGenerator, SYNC_FAILED, trySync0, trySync1, trySync2, trySync3,
  dbgCall, dbgEnter, dbgLeave, dbgLine, dbgResumed, DP: DEBUG_PAUSE,
};

// ---------------------------------------------------------------------------
// Debugging: chunks compiled with { debug: true } (compiler.ts) report line events
// here, keep a chain of call levels, and pause by yielding DEBUG_PAUSE to their driver.

/** A call level of a chunk compiled for debugging (lua_getstack / lua_getinfo). */
export interface DebugFrame {
  /** The chunk's display name ("user_script"). */
  readonly chunk: string;
  /** How the caller named the function (lua's ar.name); null: the main chunk, a call from a host function or a tail call. */
  readonly name: string | null;
  /** The calling level (null: the outermost one). */
  readonly parent: DebugFrame | null;
  /** The line of its last line event. */
  line: number;
  /** Its active locals at that line, in declaration order (lua_getlocal, loop state included). */
  locals: () => [string, LuaValue][];
}

/** Called at each line event of the running execution; true pauses the script there. */
export type LineHook = (frame: DebugFrame) => boolean;


/** Resumes a pause by raising `value` as a Lua error at the paused line (pcall can catch it). */
export class DebugRaise {
  constructor(readonly value: LuaValue) {}
}

const NO_LOCALS = (): [string, LuaValue][] => [];

/** The debugging state of the execution being run (LuaExecution swaps it per execution). */
export const debugState: {
  hook: LineHook | null;
  current: DebugFrame | null;
  /** Set by a call site just before a call: the callee and how the caller names it. */
  callee: LuaValue;
  calleeName: string | null;
  tailCall: boolean;
} = { hook: null, current: null, callee: undefined, calleeName: null, tailCall: false };

/** A call site is about to call `f`, naming it `name` (a tail call loses the caller's level). */
function dbgCall(f: LuaValue, name: string | null, tail: boolean): void {
  debugState.callee = f;
  debugState.calleeName = name;
  debugState.tailCall = tail;
}

/** A debug-compiled function starts: its level (`gen` is its own generator function). */
function dbgEnter(chunk: string, gen: unknown): DebugFrame {
  const callee = debugState.callee;
  const named = callee instanceof LuaFunction && callee.gen === gen;
  let parent = debugState.current;
  if (named && debugState.tailCall && parent !== null) parent = parent.parent;
  const frame: DebugFrame = { chunk, name: named && !debugState.tailCall ? debugState.calleeName : null, parent, line: 0, locals: NO_LOCALS };
  debugState.callee = undefined;
  debugState.current = frame;
  return frame;
}

function dbgLeave(frame: DebugFrame): void {
  debugState.current = frame.parent;
}

/** A line event: true when the hook wants the script paused here. */
function dbgLine(frame: DebugFrame, line: number, locals: () => [string, LuaValue][]): boolean {
  frame.line = line;
  frame.locals = locals;
  debugState.current = frame;
  const hook = debugState.hook;
  return hook !== null && hook(frame);
}

/** What a pause was resumed with: nothing, a kill (true) or an error to raise here. */
function dbgResumed(v: unknown): boolean {
  if (v === true) raiseKill();
  if (v instanceof DebugRaise) throw new LuaError(v.value);
  return false;
}

