/**
 * Script headers: the `#!lua ...` first line of EVAL scripts (flags) and of function
 * libraries (engine and name), tokenised with Redis's sdssplitargs rules.
 */

/** Script flags (script.c scripts_flags_def), in Redis's canonical order. */
export const ScriptFlag = {
  NO_WRITES: 1 << 0,
  ALLOW_OOM: 1 << 1,
  ALLOW_STALE: 1 << 2,
  NO_CLUSTER: 1 << 3,
  ALLOW_CROSS_SLOT: 1 << 4,
  /** EVAL script without a shebang: old semantics, command flags untouched. */
  EVAL_COMPAT: 1 << 5,
} as const;

export const SCRIPT_FLAG_NAMES: readonly [string, number][] = [
  ['no-writes', ScriptFlag.NO_WRITES],
  ['allow-oom', ScriptFlag.ALLOW_OOM],
  ['allow-stale', ScriptFlag.ALLOW_STALE],
  ['no-cluster', ScriptFlag.NO_CLUSTER],
  ['allow-cross-slot-keys', ScriptFlag.ALLOW_CROSS_SLOT],
];

/** The flag for a name (`nocase` for register_function, exact for EVAL shebangs), or 0. */
export function scriptFlagByName(name: string, nocase: boolean): number {
  const n = nocase ? lowerAscii(name) : name;
  for (const [flagName, bit] of SCRIPT_FLAG_NAMES) if (flagName === n) return bit;
  return 0;
}

/** ASCII-only lower case (names, flags, options); scans before allocating. */
export function lowerAscii(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 65 && c <= 90) return s.replace(/[A-Z]/g, (u) => String.fromCharCode(u.charCodeAt(0) + 32));
  }
  return s;
}

function isSpace(c: string | undefined): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\v' || c === '\f' || c === '\r';
}

function isHex(c: string | undefined): boolean {
  return c !== undefined && /^[0-9a-fA-F]$/.test(c);
}

/** sdssplitargs: shell-like tokens with "..." and '...' quoting; null on bad quoting. */
export function splitArgs(line: string): string[] | null {
  const out: string[] = [];
  let p = 0;
  const at = (i: number): string | undefined => (i < line.length ? line[i] : undefined);
  for (;;) {
    while (isSpace(at(p))) p++;
    if (p >= line.length) return out;
    let inDouble = false;
    let inSingle = false;
    let current = '';
    for (let done = false; !done; ) {
      const c = at(p);
      if (inDouble) {
        if (c === '\\' && at(p + 1) === 'x' && isHex(at(p + 2)) && isHex(at(p + 3))) {
          current += String.fromCharCode(parseInt(line.slice(p + 2, p + 4), 16));
          p += 3;
        } else if (c === '\\' && at(p + 1) !== undefined) {
          p++;
          const e = line[p];
          current += e === 'n' ? '\n' : e === 'r' ? '\r' : e === 't' ? '\t' : e === 'b' ? '\b' : e === 'a' ? '\x07' : e;
        } else if (c === '"') {
          if (at(p + 1) !== undefined && !isSpace(at(p + 1))) return null;
          done = true;
        } else if (c === undefined) {
          return null;
        } else {
          current += c;
        }
      } else if (inSingle) {
        if (c === '\\' && at(p + 1) === "'") {
          p++;
          current += "'";
        } else if (c === "'") {
          if (at(p + 1) !== undefined && !isSpace(at(p + 1))) return null;
          done = true;
        } else if (c === undefined) {
          return null;
        } else {
          current += c;
        }
      } else if (c === ' ' || c === '\n' || c === '\r' || c === '\t' || c === undefined) {
        done = true;
      } else if (c === '"') {
        inDouble = true;
      } else if (c === "'") {
        inSingle = true;
      } else {
        current += c;
      }
      if (c !== undefined) p++;
    }
    out.push(current);
  }
}

/** The first line as C's strchr(body, '\n') sees it; null when a NUL or the end comes first. */
function firstLine(body: string): string | null {
  const nl = body.indexOf('\n');
  if (nl < 0) return null;
  const nul = body.indexOf('\0');
  if (nul >= 0 && nul < nl) return null;
  return body.slice(0, nl);
}

export interface EvalHeader {
  flags: number;
  /** Bytes of the shebang line (the `\n` stays in the code to keep line numbers). */
  shebangLength: number;
}

/** evalExtractShebangFlags: flags of an EVAL script, or the error text (without "ERR "). */
export function parseEvalShebang(body: string): EvalHeader | string {
  if (!body.startsWith('#!')) return { flags: ScriptFlag.EVAL_COMPAT, shebangLength: 0 };
  const line = firstLine(body);
  if (line === null) return 'Invalid script shebang';
  const parts = splitArgs(line);
  if (parts === null || parts.length === 0) return 'Invalid engine in script shebang';
  if (parts[0] !== '#!lua') return `Unexpected engine in script shebang: ${parts[0]}`;
  let flags = 0;
  for (let i = 1; i < parts.length; i++) {
    const part = parts[i];
    if (!part.startsWith('flags=')) return `Unknown lua shebang option: ${part}`;
    // sdssplitlen on an empty string gives no elements: "flags=" means no flags.
    const list = part.length === 6 ? [] : part.slice(6).split(',');
    for (const f of list) {
      const bit = scriptFlagByName(f, false);
      if (!bit) return `Unexpected flag in script shebang: ${f}`;
      flags |= bit;
    }
  }
  return { flags, shebangLength: line.length };
}

export interface LibraryHeader {
  name: string;
  engine: string;
  /** The code from the shebang's `\n` on (line numbers stay those of the full text). */
  code: string;
}

const NAME_RE = /^[A-Za-z0-9_]+$/;

/** Library and function names: letters, digits and underscores, at least one. */
export function isValidName(name: string): boolean {
  return NAME_RE.test(name);
}

export const INVALID_NAME = 'Library names can only contain letters, numbers, or underscores(_) and must be at least one character long';

/** functionExtractLibMetaData + the name check; errors without "ERR ". */
export function parseLibraryHeader(source: string): LibraryHeader | string {
  if (!source.startsWith('#!')) return 'Missing library metadata';
  const line = firstLine(source);
  if (line === null) return 'Invalid library metadata';
  const parts = splitArgs(line);
  if (parts === null || parts.length === 0) return 'Invalid library metadata';
  const engine = parts[0].slice(2);
  let name: string | null = null;
  for (let i = 1; i < parts.length; i++) {
    const part = parts[i];
    if (lowerAscii(part.slice(0, 5)) === 'name=') {
      if (name !== null) return 'Invalid metadata value, name argument was given multiple times';
      name = part.slice(5);
      continue;
    }
    return `Invalid metadata value given: ${part}`;
  }
  if (name === null) return 'Library name was not given';
  if (!isValidName(name)) return INVALID_NAME;
  return { name, engine, code: source.slice(line.length) };
}
