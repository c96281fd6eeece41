/**
 * Conversions between command replies and Lua values, as Redis 7.0's script_lua.c does
 * them (redisProtocolToLuaType / luaReplyToRedisReply). Redis converts the *encoded*
 * reply, so what Lua sees depends on the protocol the script chose with
 * redis.setresp(): RESP2 flattens maps and sets, and turns doubles, big numbers and
 * verbatim strings into plain strings.
 */
import { sanitizeErrorText } from '../protocol/reply-texts.js';
import { formatDouble } from '../protocol/double.js';
import {
  AttributeReply, BigNumberReply, BoolReply, DoubleReply, ErrorReply, MapReply, NullArrayReply, PushReply,
  SetReply, SimpleReply, VerbatimReply, type Reply,
} from '../protocol/reply.js';
import { LuaTable, type LuaValue } from './lua-host.js';

/**
 * The `{err=...}` table Redis builds for an error (luaPushErrorBuff): "-CODE msg" keeps
 * its code, a message without the dash gets "ERR", and line breaks at the ends go.
 */
export function errorTable(errorText: string): LuaTable {
  let code: string;
  let msg: string;
  if (errorText.startsWith('-')) {
    const sp = errorText.indexOf(' ');
    if (sp < 0) {
      code = 'ERR';
      msg = errorText.slice(1);
    } else {
      code = errorText.slice(1, sp);
      msg = errorText.slice(sp + 1);
    }
  } else {
    code = 'ERR';
    msg = errorText;
  }
  msg = msg.replace(/^[\r\n]+|[\r\n]+$/g, '');
  const t = new LuaTable(0, 1);
  t.set('err', `${code} ${msg}`);
  return t;
}

function singleField(field: string, value: LuaValue): LuaTable {
  const t = new LuaTable(0, 1);
  t.set(field, value);
  return t;
}

/** A command's reply as the Lua value redis.call returns, for the script's protocol. */
export function replyToLua(reply: Reply, resp: 2 | 3): LuaValue {
  if (typeof reply === 'string') return reply;
  if (typeof reply === 'number') return reply;
  if (typeof reply === 'bigint') return Number(reply);
  if (reply === null) return resp === 2 ? false : undefined;
  if (Array.isArray(reply)) return arrayToLua(reply, resp);
  if (reply instanceof SimpleReply) return singleField('ok', reply.text);
  if (reply instanceof ErrorReply) {
    const t = errorTable('-' + reply.message);
    // The command already counted this error in the stats.
    t.set('ignore_error_stats_update', true);
    return t;
  }
  if (reply instanceof MapReply) {
    if (resp === 2) return arrayToLua(reply.entries, resp);
    const inner = new LuaTable();
    const e = reply.entries;
    for (let i = 0; i + 1 < e.length; i += 2) {
      const k = replyToLua(e[i], resp);
      if (k !== undefined && k === k) inner.set(k, replyToLua(e[i + 1], resp));
    }
    return singleField('map', inner);
  }
  if (reply instanceof SetReply) {
    if (resp === 2) return arrayToLua(reply.items, resp);
    const inner = new LuaTable();
    for (const item of reply.items) {
      const k = replyToLua(item, resp);
      if (k !== undefined && k === k) inner.set(k, true);
    }
    return singleField('set', inner);
  }
  if (reply instanceof DoubleReply) {
    return resp === 2 ? formatDouble(reply.value) : singleField('double', reply.value);
  }
  if (reply instanceof BoolReply) return resp === 2 ? (reply.value ? 1 : 0) : reply.value;
  if (reply instanceof BigNumberReply) return resp === 2 ? reply.digits : singleField('big_number', reply.digits);
  if (reply instanceof VerbatimReply) {
    if (resp === 2) return reply.text;
    const v = new LuaTable(0, 2);
    v.set('string', reply.text);
    v.set('format', reply.format);
    return singleField('verbatim_string', v);
  }
  if (reply instanceof NullArrayReply) return resp === 2 ? false : undefined;
  if (reply instanceof PushReply) return arrayToLua(reply.items, resp);
  // Attributes are not exposed to scripts: only the reply they annotate is.
  if (reply instanceof AttributeReply) return replyToLua(reply.reply, resp);
  return undefined;
}

function arrayToLua(items: Reply[], resp: 2 | 3): LuaTable {
  const t = new LuaTable(items.length, 0);
  for (let i = 0; i < items.length; i++) {
    const v = replyToLua(items[i], resp);
    if (v !== undefined) t.set(i + 1, v);
  }
  return t;
}

const LLONG_MIN = -(2n ** 63n);

/** C's (long long) cast of a double, as x86-64 does it (out of range -> LLONG_MIN). */
export function luaNumberToInteger(n: number): number | bigint {
  if (Number.isSafeInteger(n)) return n;
  if (!Number.isFinite(n)) return LLONG_MIN;
  const t = Math.trunc(n);
  if (Number.isSafeInteger(t)) return t === 0 ? 0 : t;
  if (t >= 2 ** 63 || t < -(2 ** 63)) return LLONG_MIN;
  return BigInt(t);
}

/** Strips CR/LF the way Redis does for status and big-number replies (sdsmapchars). */
const noLineBreaks = sanitizeErrorText;

/**
 * The reply for a value a script returned. `scriptResp` is the protocol the script set
 * (it decides how booleans come out); nulls follow the caller's protocol at encoding.
 * Error tables carry an optional script position, appended as Redis does.
 */
export function luaToReply(v: LuaValue, scriptResp: 2 | 3): Reply {
  if (!(v instanceof LuaTable)) return scalarToReply(v, scriptResp);
  // Scripts return tables nested thousands deep: walk them with an explicit stack.
  const top = openTable(v, scriptResp, 1, 0);
  if (!(top instanceof Container)) return top;
  const stack: Container[] = [top];
  for (;;) {
    const c = stack[stack.length - 1];
    let child: LuaValue;
    let childStackUsed = 0;
    if (c.kind === ContainerKind.Array) {
      child = c.source.get(c.nextIndex++);
      childStackUsed = c.stackUsed + 1;
    } else if (c.kind === ContainerKind.Map && c.valuePending) {
      child = c.pendingValue;
      c.valuePending = false;
      childStackUsed = c.stackUsed + 3;
    } else {
      const e = c.source.next(c.lastKey);
      if (e === undefined) {
        child = undefined;
      } else {
        c.lastKey = child = e[0];
        if (c.kind === ContainerKind.Map) {
          c.pendingValue = e[1];
          c.valuePending = true;
          childStackUsed = c.stackUsed + 4;
        } else {
          childStackUsed = c.stackUsed + 3;
        }
      }
    }
    if (child === undefined) {
      stack.pop();
      const done = c.toReply();
      if (stack.length === 0) return done;
      stack[stack.length - 1].items.push(done);
      continue;
    }
    if (child instanceof LuaTable) {
      const opened = openTable(child, scriptResp, childStackUsed, stack.length);
      if (opened instanceof Container) stack.push(opened);
      else c.items.push(opened);
    } else {
      c.items.push(scalarToReply(child, scriptResp));
    }
  }
}

function scalarToReply(v: LuaValue, scriptResp: 2 | 3): Reply {
  switch (typeof v) {
    case 'string':
      return v;
    case 'boolean':
      if (scriptResp === 2) return v ? 1 : null;
      return new BoolReply(v);
    case 'number':
      return luaNumberToInteger(v);
    default:
      return null;
  }
}

/**
 * luaReplyToRedisReply walks nested tables on the Lua stack and gives up (with an error
 * in place of the value) when lua_checkstack(4) fails. Counting the slots it would use
 * reproduces where: an array element holds 1 slot, a map key 4 (the map, key, value
 * and a copy of the key) and its value 3, a set member 3.
 */
const LUA_STACK_SLOTS = 7999;
const STACK_NEEDED_PER_VALUE = 4;
/**
 * The RESP encoder recurses once per nesting level and overflows the JS stack past
 * ~4,500 levels, so replies stop nesting (with the same error) earlier than Redis's
 * ~8,000; a script returning a self-referencing table still gets the error it expects.
 */
const MAX_REPLY_NESTING = 3000;

const enum ContainerKind { Array, Map, Set }

/** A table being converted to an aggregate reply: where its walk stands. */
class Container {
  readonly items: Reply[] = [];
  nextIndex = 1;
  lastKey: LuaValue = undefined;
  pendingValue: LuaValue = undefined;
  valuePending = false;

  constructor(readonly kind: ContainerKind, readonly source: LuaTable, readonly stackUsed: number) {}

  toReply(): Reply {
    if (this.kind === ContainerKind.Map) return new MapReply(this.items);
    if (this.kind === ContainerKind.Set) return new SetReply(this.items);
    return this.items;
  }
}

/** A table's reply when it is a single-field special (err, ok, double, ...), else its walk. */
function openTable(t: LuaTable, scriptResp: 2 | 3, stackUsed: number, nesting: number): Reply | Container {
  if (stackUsed + STACK_NEEDED_PER_VALUE > LUA_STACK_SLOTS || nesting > MAX_REPLY_NESTING) {
    return new ErrorReply('ERR reached lua stack limit');
  }
  const err = t.get('err');
  if (typeof err === 'string') return new ErrorReply(sanitizeErrorText(err), t.get('ignore_error_stats_update') === true);
  const ok = t.get('ok');
  if (typeof ok === 'string') return new SimpleReply(noLineBreaks(ok));
  const dbl = t.get('double');
  if (typeof dbl === 'number') return new DoubleReply(dbl);
  const big = t.get('big_number');
  if (typeof big === 'string') return new BigNumberReply(noLineBreaks(big));
  const verbatim = t.get('verbatim_string');
  if (verbatim instanceof LuaTable) {
    const format = verbatim.get('format');
    const text = verbatim.get('string');
    if (typeof format === 'string' && typeof text === 'string') return new VerbatimReply(text, format.slice(0, 3).padEnd(3, '\0'));
  }
  const map = t.get('map');
  if (map instanceof LuaTable) return new Container(ContainerKind.Map, map, stackUsed);
  const set = t.get('set');
  if (set instanceof LuaTable) return new Container(ContainerKind.Set, set, stackUsed);
  return new Container(ContainerKind.Array, t, stackUsed);
}
