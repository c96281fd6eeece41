/**
 * client-output-buffer-limit: the parameter's syntax (config.c's
 * setConfigClientOutputBufferLimitOption) and the check Redis makes after each write
 * (networking.c checkClientOutputBufferLimits).
 *
 *   client-output-buffer-limit <class> <hard> <soft> <soft-seconds> [<class> ...]
 *
 * Classes are normal, replica (alias slave) and pubsub; sizes take memtoull units. A
 * client whose unsent output reaches the hard limit, or stays at or above the soft limit
 * for more than soft-seconds, is disconnected.
 */
export type OutputClass = 'normal' | 'replica' | 'pubsub';

export interface OutputLimit {
  hard: number;
  soft: number;
  softSeconds: number;
}

export type OutputLimits = Record<OutputClass, OutputLimit>;

const CLASS_NAMES: Record<string, OutputClass> = { normal: 'normal', slave: 'replica', replica: 'replica', pubsub: 'pubsub' };
const ULLONG = (1n << 64n) - 1n;
const UNITS: Record<string, bigint> = { '': 1n, b: 1n, k: 1000n, kb: 1024n, m: 1000000n, mb: 1048576n, g: 1000000000n, gb: 1073741824n };

/** memtoull: digits and an optional unit; null where Redis reports an error. */
function memtoull(s: string): bigint | null {
  const m = /^(\d*)(.*)$/s.exec(s)!;
  const mul = UNITS[m[2]!.toLowerCase()];
  if (mul === undefined) return null;
  let digits = m[1] === '' ? 0n : BigInt(m[1]!);
  if (digits > ULLONG) digits = ULLONG; // strtoull saturates; Redis 7.0 does not check errno
  return (digits * mul) & ULLONG;
}

interface ParsedLimit {
  hard: bigint;
  soft: bigint;
  softSeconds: number;
}

/**
 * Parses a value and merges it over `current` (classes not named keep their limits).
 * Returns the normalised value (as CONFIG GET shows it) or Redis's error text.
 */
export function mergeOutputLimits(value: string, current: string): { value: string } | { error: string } {
  // CONFIG SET splits a multi-argument value on single spaces (sdssplitlen), no quoting.
  const args = value === '' ? [] : value.split(' ');
  if (args.length % 4 !== 0) return { error: 'Wrong number of arguments in buffer limit configuration.' };
  const merged = parseNormalised(current);
  const updates: [OutputClass, ParsedLimit][] = [];
  for (let j = 0; j < args.length; j += 4) {
    const cls = CLASS_NAMES[args[j]!.toLowerCase()];
    if (cls === undefined) return { error: 'Invalid client class specified in buffer limit configuration.' };
    const hard = memtoull(args[j + 1]!);
    const soft = memtoull(args[j + 2]!);
    // strtoll with an end pointer that must reach the end: sign and leading spaces allowed.
    const secondsText = args[j + 3]!;
    const seconds = /^\s*[+-]?\d*$/.test(secondsText) ? Number(secondsText.trim() || '0') : NaN;
    if (hard === null || soft === null || Number.isNaN(seconds) || seconds < 0) {
      return { error: 'Error in hard, soft or soft_seconds setting in buffer limit configuration.' };
    }
    updates.push([cls, { hard, soft, softSeconds: Math.min(seconds, 2147483647) }]);
  }
  // All or nothing: applied only once every class parsed.
  for (const [cls, limit] of updates) merged[cls] = limit;
  return { value: formatLimits(merged) };
}

function formatLimits(l: Record<OutputClass, ParsedLimit>): string {
  const part = (name: string, x: ParsedLimit) => `${name} ${x.hard} ${x.soft} ${x.softSeconds}`;
  return `${part('normal', l.normal)} ${part('slave', l.replica)} ${part('pubsub', l.pubsub)}`;
}

/** Reads a value in the normalised form (the stored one). */
function parseNormalised(value: string): Record<OutputClass, ParsedLimit> {
  const out: Record<OutputClass, ParsedLimit> = {
    normal: { hard: 0n, soft: 0n, softSeconds: 0 },
    replica: { hard: 0n, soft: 0n, softSeconds: 0 },
    pubsub: { hard: 0n, soft: 0n, softSeconds: 0 },
  };
  const t = value.split(' ').filter((s) => s !== '');
  for (let j = 0; j + 3 < t.length; j += 4) {
    const cls = CLASS_NAMES[t[j]!];
    if (cls) out[cls] = { hard: BigInt(t[j + 1]!), soft: BigInt(t[j + 2]!), softSeconds: Number(t[j + 3]) };
  }
  return out;
}

/** The limits of a stored (normalised) value, as numbers for the checks. */
export function outputLimitsOf(value: string): OutputLimits {
  const p = parseNormalised(value);
  const num = (x: ParsedLimit): OutputLimit => ({ hard: Number(x.hard), soft: Number(x.soft), softSeconds: x.softSeconds });
  return { normal: num(p.normal), replica: num(p.replica), pubsub: num(p.pubsub) };
}

/**
 * checkClientOutputBufferLimits: true when a client with `used` bytes of unsent output
 * must be disconnected. `state.softSince` tracks when the soft limit was first reached
 * (0: not reached), in ms.
 */
export function overOutputLimit(limit: OutputLimit, used: number, state: { softSince: number }, now: number): boolean {
  const hard = limit.hard !== 0 && used >= limit.hard;
  let soft = limit.soft !== 0 && used >= limit.soft;
  if (soft) {
    if (state.softSince === 0) {
      state.softSince = now;
      soft = false; // the soft limit starts counting now
    } else if (now - state.softSince <= limit.softSeconds * 1000) {
      soft = false;
    }
  } else {
    state.softSince = 0;
  }
  return hard || soft;
}
