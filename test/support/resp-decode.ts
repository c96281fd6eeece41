/**
 * The tests' one RESP decoder: raw RESP2/RESP3 replies (as RespClient returns them) into
 * plain values, for the comparisons that must be order-insensitive (KEYS, SCAN, CONFIG
 * GET, FUNCTION LIST) or that read fields (INFO, FUNCTION STATS).
 *
 * Shapes (those test/fixtures/functions-payload-vectors.json uses): bulk strings as
 * latin1 strings (a verbatim string without its `txt:` format), integers as numbers,
 * `(` big numbers as bigint, `#` as boolean, `{status}`, `{error}` (`-` and `!`),
 * `{double}` (the text), `{map: [[k, v]...]}`, `{set: [...]}`, arrays (and pushes) as arrays.
 *
 * Everything decodes through `parseFrame`, which keeps a reply's exact bytes (for
 * canonicalizing and re-serializing it); `decodeResp` and `replyLeaves` are the simpler
 * shapes some tests compare. Framing replies off a socket is RespClient's `replyLength`.
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

/**
 * One parsed reply: its type byte, header line and (bulk types) payload as latin1 text,
 * its children (a map's keys and values alternate), and the offset just past it. Frames
 * keep every byte, so `serialize` in test/commands-table/support/resp-frames.ts can
 * rebuild the exact reply after sorting parts of it.
 */
export interface Frame {
  /** The type byte: '*', '%', '~', '$', '+', ':', ... */
  type: string;
  /** The header line without type byte and CRLF: a length, or the simple value. */
  header: string;
  /** Bulk payload (for '$' / '=' / '!'). */
  payload?: string;
  /** Child frames of aggregates. */
  children: Frame[];
  /** Offset just past the frame in the parsed buffer. */
  end: number;
}

/** Children per announced element: maps and attributes hold key/value pairs. */
const AGGREGATE_FACTOR: Record<string, number> = { '*': 1, '~': 1, '>': 1, '%': 2, '|': 2 };

/** Parses one frame at `offset`; undefined when the buffer holds only part of it. */
export function parseFrame(buf: Buffer, offset: number): Frame | undefined {
  if (offset >= buf.length) return undefined;
  const lineEnd = buf.indexOf('\r\n', offset, 'latin1');
  if (lineEnd < 0) return undefined;
  const type = String.fromCharCode(buf[offset]);
  const header = buf.toString('latin1', offset + 1, lineEnd);
  let end = lineEnd + 2;
  const factor = AGGREGATE_FACTOR[type];
  if (factor !== undefined) {
    const count = Number(header);
    const children: Frame[] = [];
    for (let i = 0; i < count * factor; i++) {
      const child = parseFrame(buf, end);
      if (child === undefined) return undefined;
      children.push(child);
      end = child.end;
    }
    return { type, header, children, end };
  }
  if ((type === '$' || type === '=' || type === '!') && header !== '-1') {
    const length = Number(header);
    if (buf.length < end + length + 2) return undefined;
    const payload = buf.toString('latin1', end, end + length);
    return { type, header, payload, children: [], end: end + length + 2 };
  }
  return { type, header, children: [], end };
}

/** The one frame `buf` holds; throws if it holds less or more. */
export function parseWhole(buf: Buffer): Frame {
  const frame = parseFrame(buf, 0);
  if (frame === undefined || frame.end !== buf.length) throw new Error(`not exactly one RESP frame: ${buf.toString('latin1')}`);
  return frame;
}

export function decodeReply(buf: Buffer): Decoded {
  const frame = parseFrame(buf, 0);
  if (frame === undefined) throw new Error('truncated reply');
  if (frame.end !== buf.length) throw new Error(`trailing bytes after reply at ${frame.end}`);
  return frameValue(frame);
}

/** A frame as a plain value, in the shapes listed at the top of this file. */
export function frameValue(frame: Frame): Decoded {
  const { type, header: head } = frame;
  switch (type) {
    case '+':
      return { status: head };
    case '-':
      return { error: head };
    case ':':
      return Number(head);
    case '_':
      return null;
    case '#':
      return head === 't';
    case ',':
      return { double: head };
    case '(':
      return BigInt(head);
    case '$':
    case '=':
    case '!': {
      if (frame.payload === undefined) return null;
      if (type === '!') return { error: frame.payload };
      return type === '=' ? frame.payload.slice(4) : frame.payload;
    }
    case '*':
    case '~':
    case '>': {
      if (Number(head) < 0) return null;
      const items = frame.children.map(frameValue);
      return type === '~' ? { set: items } : items;
    }
    case '%': {
      const entries: [Decoded, Decoded][] = [];
      for (let i = 0; i < frame.children.length; i += 2) entries.push([frameValue(frame.children[i]), frameValue(frame.children[i + 1])]);
      return { map: entries };
    }
    default:
      throw new Error(`unknown RESP type ${JSON.stringify(type)}`);
  }
}

/**
 * A RESP2 reply in the shape the persistence and replication tests compare: statuses and
 * bulk strings as strings, errors as `{error}`, integers as numbers, nil as null, arrays
 * as arrays (RESP3 sets as arrays, maps flattened to key, value, ...; doubles as text).
 */
export type Resp = string | number | null | Resp[] | { error: string };

export function decodeResp(buf: Buffer): Resp {
  return plain(decodeReply(buf));
}

function plain(v: Decoded): Resp {
  if (v === null || typeof v === 'string' || typeof v === 'number') return v;
  if (typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return v.map(plain);
  if ('status' in v) return v.status;
  if ('error' in v) return { error: v.error };
  if ('double' in v) return v.double;
  if ('set' in v) return v.set.map(plain);
  return v.map.flatMap(([k, x]) => [plain(k), plain(x)]);
}

/**
 * The texts of a reply's leaves, depth first, for replies compared regardless of order
 * or only by size (HGETALL, SMEMBERS, SRANDMEMBER): bulk strings, integers, doubles and
 * statuses as their text, nil as "(nil)"; aggregates contribute their elements, other
 * types (booleans, errors, verbatim, big numbers) nothing.
 */
export function replyLeaves(raw: Buffer): string[] {
  const out: string[] = [];
  const walk = (f: Frame): void => {
    if (f.children.length > 0) return f.children.forEach(walk);
    if (f.type === '$') out.push(f.payload ?? '(nil)');
    else if (f.type === ':' || f.type === ',' || f.type === '+') out.push(f.header);
    else if (f.type === '_') out.push('(nil)');
  };
  walk(parseWhole(raw));
  return out;
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
