/**
 * Splits raw RESP2/RESP3 bytes into frames, keeping each frame's exact bytes, so replies
 * can be compared byte for byte after putting hash-ordered parts (Redis lists commands in
 * its dict's randomly seeded order) into a canonical order.
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

export function parseWhole(buf: Buffer): Frame {
  const frame = parseFrame(buf, 0);
  if (frame === undefined || frame.end !== buf.length) throw new Error(`not exactly one RESP frame: ${buf.toString('latin1')}`);
  return frame;
}

/** The frame's bytes, re-serialized (identical to the input for an unmodified frame). */
export function serialize(frame: Frame): string {
  let out = `${frame.type}${frame.header}\r\n`;
  if (frame.payload !== undefined) out += `${frame.payload}\r\n`;
  for (const child of frame.children) out += serialize(child);
  return out;
}

/** Sorts an array-like frame's children by their bytes. */
export function sortElements(frame: Frame): Frame {
  const children = [...frame.children].sort(compareFrames);
  return { ...frame, children };
}

/** Sorts a map frame's key/value pairs by the bytes of the key. */
export function sortMapPairs(frame: Frame): Frame {
  const pairs: [Frame, Frame][] = [];
  for (let i = 0; i < frame.children.length; i += 2) pairs.push([frame.children[i], frame.children[i + 1]]);
  pairs.sort((a, b) => compareFrames(a[0], b[0]));
  return { ...frame, children: pairs.flat() };
}

function compareFrames(a: Frame, b: Frame): number {
  const sa = serialize(a);
  const sb = serialize(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

/** A bulk/simple frame's text. */
export function frameText(frame: Frame): string {
  return frame.payload ?? frame.header;
}
