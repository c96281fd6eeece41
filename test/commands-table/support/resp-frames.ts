/**
 * Puts hash-ordered parts of a reply (Redis lists commands in its dict's randomly seeded
 * order) into a canonical order and re-serializes it, so replies can be compared byte for
 * byte. Parsing is test/support/resp-decode.ts's (`parseWhole`, `Frame`).
 */
import type { Frame } from '../../support/resp-decode.js';

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
