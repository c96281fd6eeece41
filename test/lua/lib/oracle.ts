/**
 * Differential-test helpers: run snippets through the reference implementations
 * (Debian's lua5.1, and redis-server 7.0.15 for the Redis-only libraries).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { LuaLibError } from '../../../src/lua/errors.js';
import { LuaTable } from '../../../src/lua/table.js';
import type { LuaValue } from '../../../src/lua/value.js';
import { cjsonNull } from '../../../src/lua/lib/cjson.js';
import { quoteString } from '../../../src/lua/lib/format.js';
import { numberToString } from '../../../src/lua/lib/number.js';
import { RespClient } from '../../support/resp-client.js';
import { decodeReply, type Decoded } from '../../support/resp-decode.js';

export const luaAvailable = existsSync('/usr/bin/lua5.1');
export const redisAvailable = existsSync('/usr/bin/redis-server');

export interface OracleResult {
  ok: boolean;
  /** The value (converted with tostring) or the error message, as a byte string. */
  value: string;
}

/** Quote a byte string as a Lua string literal (decimal escapes, so any byte is safe). */
export function luaQuote(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x20 && c < 0x7f && c !== 0x22 && c !== 0x5c) out += s[i];
    else out += '\\' + String(c).padStart(3, '0');
  }
  return out + '"';
}

/** A Lua expression that evaluates to exactly the double `n` (sign of NaN included). */
export function luaNumber(n: number): string {
  if (n !== n) {
    const view = new DataView(new ArrayBuffer(8));
    view.setFloat64(0, n);
    return (view.getUint8(0) & 0x80) !== 0 ? '(0/0)' : '(-(0/0))';
  }
  if (n === Infinity) return '(1/0)';
  if (n === -Infinity) return '(-1/0)';
  if (n === 0) return 1 / n < 0 ? '(tonumber("-0"))' : '0';
  if (Number.isInteger(n) && Math.abs(n) < 2 ** 53) return `(${n})`;
  // hex float via strtod: exact
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Math.abs(n));
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const biased = (hi >>> 20) & 0x7ff;
  const mant = ((BigInt(hi & 0xfffff) << 32n) | BigInt(lo)).toString(16).padStart(13, '0');
  const text = biased === 0 ? `0x0.${mant}p-1022` : `0x1.${mant}p${biased - 1023}`;
  return `(${n < 0 ? '-' : ''}tonumber("${text}"))`;
}

/**
 * Evaluate each Lua expression in lua5.1 (one process for the whole batch) and return
 * tostring of its first value, or the error message. `prelude` runs first.
 */
export function luaEval(exprs: string[], prelude = ''): OracleResult[] {
  const lines = [
    prelude,
    'local function emit(ok, v) v = tostring(v) io.write(ok and "O" or "E", #v, ":", v) end',
  ];
  for (const e of exprs) lines.push(`emit(pcall(function() local r = ${e}; return r end))`);
  const out = execFileSync('/usr/bin/lua5.1', ['-'], {
    input: Buffer.from(lines.join('\n'), 'latin1'),
    maxBuffer: 64 << 20,
  }).toString('latin1');
  return parseEmitted(out, exprs.length);
}

function parseEmitted(out: string, count: number): OracleResult[] {
  const results: OracleResult[] = [];
  let pos = 0;
  while (pos < out.length) {
    const colon = out.indexOf(':', pos);
    const len = Number(out.slice(pos + 1, colon));
    results.push({ ok: out[pos] === 'O', value: out.slice(colon + 1, colon + 1 + len) });
    pos = colon + 1 + len;
  }
  if (results.length !== count) throw new Error(`oracle returned ${results.length} of ${count} results`);
  return results;
}

/** A throwaway redis-server on a port in 7200-7299, with a RESP client. */
export class RedisOracle {
  private constructor(
    private readonly proc: ChildProcess,
    private readonly client: RespClient,
  ) {}

  static async start(port: number): Promise<RedisOracle> {
    const proc = spawn('/usr/bin/redis-server', ['--port', String(port), '--save', '', '--appendonly', 'no', '--bind', '127.0.0.1'], {
      stdio: 'ignore',
    });
    for (let attempt = 0; attempt < 100; attempt++) {
      try {
        return new RedisOracle(proc, await RespClient.connect(port));
      } catch {
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    proc.kill();
    throw new Error('redis-server did not start');
  }

  /**
   * Run many EVALs pipelined; each script must return a string (or raise). Returns the
   * bulk string (latin1) or the error text without the leading "-".
   */
  async evalMany(scripts: string[]): Promise<OracleResult[]> {
    const replies = await this.client.pipeline(scripts.map((script) => ['EVAL', script, '0']));
    return replies.map((raw) => oracleResult(decodeReply(raw)));
  }

  stop(): void {
    this.client.close();
    this.proc.kill();
  }
}

/** One RESP2 reply: strings come back as-is, integers as decimal, nil as "(nil)". */
function oracleResult(v: Decoded): OracleResult {
  if (typeof v === 'string') return { ok: true, value: v };
  if (v === null) return { ok: true, value: '(nil)' };
  if (typeof v === 'number') return { ok: true, value: String(v) };
  if (typeof v === 'object' && 'status' in v) return { ok: true, value: v.status };
  if (typeof v === 'object' && 'error' in v) return { ok: false, value: v.error };
  throw new Error('unexpected reply ' + JSON.stringify(v));
}

/**
 * Evaluate Lua expressions in the running redis-server's Lua (each in its own EVAL, all
 * pipelined), returning tostring of the value or the error message with the
 * "user_script:N: " position stripped.
 */
export async function redisEvalExprs(redis: RedisOracle, exprs: string[]): Promise<OracleResult[]> {
  const scripts = exprs.map(
    (e) => `local ok, r = pcall(function() local v = ${e}; return v end) return (ok and 'O' or 'E') .. tostring(r)`,
  );
  const replies = await redis.evalMany(scripts);
  return replies.map((r) => {
    if (!r.ok) return r;
    const value = r.value.slice(1);
    return r.value[0] === 'O' ? { ok: true, value } : { ok: false, value: value.replace(/^user_script:\d+: /, '') };
  });
}

/**
 * Our values printed like the Lua-side `D` dump functions in the cjson/cmsgpack tests:
 * tables with keys sorted, strings %q-quoted, cjson.null as NULL, others as type:value.
 */
export function dumpValue(v: unknown): string {
  if (v instanceof LuaTable) {
    const keys: LuaValue[] = [];
    for (let e = v.next(undefined); e !== undefined; e = v.next(e[0])) keys.push(e[0]);
    const str = (k: LuaValue): string => (typeof k === 'number' ? numberToString(k) : String(k));
    keys.sort((a, b) => (str(a) < str(b) ? -1 : str(a) > str(b) ? 1 : 0));
    return '{' + keys.map((k) => dumpValue(k) + '=' + dumpValue(v.get(k))).join(',') + '}';
  }
  if (typeof v === 'string') return quoteString(v);
  if (v === cjsonNull) return 'NULL';
  if (v === undefined) return 'nil:nil';
  if (typeof v === 'number') return 'number:' + numberToString(v);
  return typeof v + ':' + String(v);
}

/** Runs a library call, turning a LuaLibError into the oracle's error result. */
export function runLib(f: () => string): OracleResult {
  try {
    return { ok: true, value: f() };
  } catch (e) {
    if (e instanceof LuaLibError) return { ok: false, value: e.message };
    throw e;
  }
}
