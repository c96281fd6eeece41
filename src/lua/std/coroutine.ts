/**
 * Coroutines on generators: a coroutine is the generator of its body. coroutine.yield
 * yields a CoroutineYield, which resume catches; budget pauses (yield 0) from inside
 * the coroutine are passed up to the host's driver and resumed transparently.
 */
import { argError, LuaLibError } from '../errors.js';
import { argTypeName } from '../lib/args.js';
import { callValue, CoroutineYield, LuaError, LuaKill, toLuaError, where } from '../runtime.js';
import { LuaTable } from '../table.js';
import { Coroutine, LuaFunction, type LuaGenerator, type LuaValue } from '../value.js';
import { generator, host, tableOf } from './util.js';

let current: Coroutine | null = null;

function* resume(co: Coroutine, args: LuaValue[]): Generator<unknown, [boolean, LuaValue[]], unknown> {
  if (co.status === 'dead') return [false, ['cannot resume dead coroutine']];
  if (co.status !== 'suspended') return [false, [`cannot resume ${co.status} coroutine`]];
  const previous = current;
  if (previous) previous.status = 'normal';
  co.status = 'running';
  current = co;
  try {
    let send: unknown = args;
    if (co.generator === null) {
      co.generator = callValue(co.body, args);
      send = undefined;
    }
    for (;;) {
      const r = co.generator.next(send);
      if (r.done) {
        co.status = 'dead';
        return [true, r.value];
      }
      if (r.value instanceof CoroutineYield) {
        co.status = 'suspended';
        return [true, r.value.values];
      }
      // a budget pause inside the coroutine: hand it to our own driver, and what the
      // driver resumes it with (a kill) back down to the pause
      current = previous;
      send = yield r.value;
      current = co;
    }
  } catch (e) {
    if (e instanceof LuaKill) throw e;
    co.status = 'dead';
    return [false, [toLuaError(e).value]];
  } finally {
    current = previous;
    if (previous) previous.status = 'running';
  }
}

function checkCoroutine(args: LuaValue[], i: number, fname: string): Coroutine {
  const co = args[i];
  if (!(co instanceof Coroutine)) throw argError(i + 1, fname, 'coroutine expected');
  return co;
}

/** A function written in Lua (coroutines cannot start with a C function in 5.1). */
function isLuaFunction(f: LuaValue): f is LuaFunction {
  return f instanceof LuaFunction && f.host === null && !f.isHostGenerator;
}

export function createCoroutineLibrary(): LuaTable {
  return tableOf({
    create: host('create', (args) => {
      const f = args[0];
      if (!isLuaFunction(f)) throw argError(1, 'create', 'Lua function expected');
      return [new Coroutine(f)];
    }),
    resume: generator('resume', function* host_resume(...args: LuaValue[]): LuaGenerator {
      const co = checkCoroutine(args, 0, 'resume');
      const [ok, values] = yield* resume(co, args.slice(1));
      return [ok, ...values];
    }),
    yield: generator('yield', function* host_yield(...args: LuaValue[]): LuaGenerator {
      // the main chunk runs under a C call (lua_pcall), as in lua5.1 and Redis
      if (current === null) throw new LuaError('attempt to yield across metamethod/C-call boundary');
      return (yield new CoroutineYield(args)) as LuaValue[];
    }),
    status: host('status', (args) => [checkCoroutine(args, 0, 'status').status]),
    running: host('running', () => [current ?? undefined]),
    wrap: host('wrap', (args) => {
      const f = args[0];
      if (!isLuaFunction(f)) throw argError(1, 'wrap', 'Lua function expected');
      const co = new Coroutine(f);
      return [generator('wrap', function* host_wrap(...a: LuaValue[]): LuaGenerator {
        const [ok, values] = yield* resume(co, a);
        if (ok) return values;
        const err = values[0];
        if (typeof err === 'string' || typeof err === 'number') throw new LuaError(where(1) + String(err));
        throw new LuaError(err);
      })];
    }),
  });
}

void LuaLibError;
void argTypeName;
