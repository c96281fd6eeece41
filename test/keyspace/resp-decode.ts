/**
 * Decodes raw RESP2/RESP3 replies into plain values, for the comparisons that must be
 * order-insensitive (KEYS, SCAN, CONFIG GET) or that read fields (INFO).
 */
import { Buffer } from 'node:buffer';

export type Decoded = string | number | null | Decoded[] | { error: string } | { map: Decoded[] };

export function decode(raw: Buffer): Decoded {
  const [value, end] = decodeAt(raw, 0);
  if (end !== raw.length) throw new Error(`trailing bytes after reply: ${JSON.stringify(raw.toString('latin1'))}`);
  return value;
}

function decodeAt(buf: Buffer, pos: number): [Decoded, number] {
  const nl = buf.indexOf('\r\n', pos);
  const type = String.fromCharCode(buf[pos]);
  const head = buf.toString('latin1', pos + 1, nl);
  let p = nl + 2;
  switch (type) {
    case '+':
    case '(':
    case ',':
      return [head, p];
    case '-':
      return [{ error: head }, p];
    case ':':
      return [Number(head), p];
    case '_':
      return [null, p];
    case '#':
      return [head === 't' ? 1 : 0, p];
    case '$':
    case '=':
    case '!': {
      const n = Number(head);
      if (n < 0) return [null, p];
      const s = buf.toString('latin1', p, p + n);
      return [type === '=' ? s.slice(4) : s, p + n + 2];
    }
    case '*':
    case '~':
    case '>':
    case '%': {
      const n = Number(head);
      if (n < 0) return [null, p];
      const items: Decoded[] = [];
      for (let i = 0; i < (type === '%' ? 2 * n : n); i++) {
        const [v, next] = decodeAt(buf, p);
        items.push(v);
        p = next;
      }
      return [type === '%' ? { map: items } : items, p];
    }
    default:
      throw new Error(`bad RESP type ${type}`);
  }
}

/** The elements of an array reply, sorted (for replies whose order Redis leaves to its hash table). */
export function sortedStrings(raw: Buffer): string[] {
  const v = decode(raw);
  if (!Array.isArray(v)) throw new Error(`not an array: ${JSON.stringify(v)}`);
  return (v as string[]).slice().sort();
}

/** A SCAN reply: [cursor, keys]. */
export function scanReply(raw: Buffer): { cursor: string; keys: string[] } {
  const v = decode(raw) as [string, string[]];
  return { cursor: v[0], keys: v[1] };
}

/** Name/value pairs of a CONFIG GET reply (RESP2 array or RESP3 map), sorted by name. */
export function configPairs(raw: Buffer): [string, string][] {
  const v = decode(raw);
  const flat = (Array.isArray(v) ? v : (v as { map: Decoded[] }).map) as string[];
  const out: [string, string][] = [];
  for (let i = 0; i < flat.length; i += 2) out.push([flat[i], flat[i + 1]]);
  return out.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}
