/**
 * The tests' one RESP decoder: raw RESP2/RESP3 replies (as RespClient returns them) into
 * plain values, for the comparisons that must be order-insensitive (KEYS, SCAN, CONFIG
 * GET, FUNCTION LIST) or that read fields (INFO, FUNCTION STATS).
 *
 * Shapes (those test/fixtures/functions-payload-vectors.json uses): bulk strings as
 * latin1 strings (a verbatim string without its `txt:` format), integers as numbers,
 * `(` big numbers as bigint, `#` as boolean, `{status}`, `{error}` (`-` and `!`),
 * `{double}` (the text), `{map: [[k, v]...]}`, `{set: [...]}`, arrays (and pushes) as arrays.
 */
export type Decoded =
  | string
  | number
  | bigint
  | boolean
  | null
  | Decoded[]
  | { status: string }
  | { error: string }
  | { map: [Decoded, Decoded][] }
  | { set: Decoded[] }
  | { double: string };

export function decodeReply(buf: Buffer): Decoded {
  const [v, end] = decodeAt(buf, 0);
  if (end !== buf.length) throw new Error(`trailing bytes after reply at ${end}`);
  return v;
}

function line(buf: Buffer, pos: number): [string, number] {
  const e = buf.indexOf('\r\n', pos, 'latin1');
  if (e < 0) throw new Error('truncated reply');
  return [buf.toString('latin1', pos, e), e + 2];
}

function decodeAt(buf: Buffer, pos: number): [Decoded, number] {
  const type = String.fromCharCode(buf[pos]);
  const [head, next] = line(buf, pos + 1);
  switch (type) {
    case '+':
      return [{ status: head }, next];
    case '-':
      return [{ error: head }, next];
    case ':':
      return [Number(head), next];
    case '_':
      return [null, next];
    case '#':
      return [head === 't', next];
    case ',':
      return [{ double: head }, next];
    case '(':
      return [BigInt(head), next];
    case '$':
    case '=':
    case '!': {
      const n = Number(head);
      if (n < 0) return [null, next];
      const text = buf.toString('latin1', next, next + n);
      const end = next + n + 2;
      if (type === '!') return [{ error: text }, end];
      return [type === '=' ? text.slice(4) : text, end];
    }
    case '*':
    case '~':
    case '>': {
      const n = Number(head);
      if (n < 0) return [null, next];
      const items: Decoded[] = [];
      let p = next;
      for (let i = 0; i < n; i++) {
        const [v, q] = decodeAt(buf, p);
        items.push(v);
        p = q;
      }
      return [type === '~' ? { set: items } : items, p];
    }
    case '%': {
      const n = Number(head);
      const entries: [Decoded, Decoded][] = [];
      let p = next;
      for (let i = 0; i < n; i++) {
        const [k, q] = decodeAt(buf, p);
        const [v, r] = decodeAt(buf, q);
        entries.push([k, v]);
        p = r;
      }
      return [{ map: entries }, p];
    }
    default:
      throw new Error(`unknown RESP type ${JSON.stringify(type)}`);
  }
}

export interface NormalizedFunction {
  name: string;
  description: string | null;
  flags: string[];
}

export interface NormalizedLibrary {
  library_name: string;
  engine: string;
  functions: NormalizedFunction[];
  library_code?: string;
}

function pairsOf(v: Decoded): [string, Decoded][] {
  if (Array.isArray(v)) {
    const out: [string, Decoded][] = [];
    for (let i = 0; i < v.length; i += 2) out.push([v[i] as string, v[i + 1]]);
    return out;
  }
  return (v as { map: [Decoded, Decoded][] }).map as [string, Decoded][];
}

/** FUNCTION LIST [WITHCODE] (RESP2 or RESP3) sorted by library and function name. */
export function normalizeFunctionList(reply: Buffer): NormalizedLibrary[] {
  const libs = decodeReply(reply) as Decoded[];
  const out: NormalizedLibrary[] = [];
  for (const lib of libs) {
    const o: Record<string, Decoded> = Object.fromEntries(pairsOf(lib));
    const functions = (o.functions as Decoded[]).map((f) => {
      const fo: Record<string, Decoded> = Object.fromEntries(pairsOf(f));
      const flags = Array.isArray(fo.flags) ? fo.flags : (fo.flags as { set: Decoded[] }).set;
      return {
        name: fo.name as string,
        description: fo.description as string | null,
        flags: flags.map((x) => (x as { status: string }).status),
      };
    });
    functions.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const entry: NormalizedLibrary = { library_name: o.library_name as string, engine: o.engine as string, functions };
    if ('library_code' in o) entry.library_code = o.library_code as string;
    out.push(entry);
  }
  out.sort((a, b) => (a.library_name < b.library_name ? -1 : a.library_name > b.library_name ? 1 : 0));
  return out;
}

/** The elements of an array reply, sorted (for replies whose order Redis leaves to its hash table). */
export function sortedStrings(raw: Buffer): string[] {
  const v = decodeReply(raw);
  if (!Array.isArray(v)) throw new Error(`not an array: ${JSON.stringify(v)}`);
  return (v as string[]).slice().sort();
}

/** A SCAN reply: [cursor, keys]. */
export function scanReply(raw: Buffer): { cursor: string; keys: string[] } {
  const v = decodeReply(raw) as [string, string[]];
  return { cursor: v[0], keys: v[1] };
}

/** Name/value pairs of a CONFIG GET reply (RESP2 array or RESP3 map), sorted by name. */
export function configPairs(raw: Buffer): [string, string][] {
  const out = pairsOf(decodeReply(raw)) as [string, string][];
  return out.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}
