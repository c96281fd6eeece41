/**
 * Canonical forms of COMMAND replies: Redis lists commands and subcommands in dict order,
 * which depends on a random hash seed, so those lists are sorted before comparing bytes.
 * Everything else stays byte for byte.
 */
import { type Frame, parseWhole } from '../../support/resp-decode.js';
import { frameText, serialize, sortElements, sortMapPairs } from './resp-frames.js';

/** One COMMAND INFO entry with its nested subcommand entries sorted. */
function canonicalInfoEntry(entry: Frame): Frame {
  if (entry.children.length !== 10) return entry; // null entry
  const children = [...entry.children];
  children[9] = sortElements(children[9]);
  return { ...entry, children };
}

/** COMMAND INFO [names] / COMMAND: nested subcommands sorted; with `sortTop`, the entries too. */
export function canonicalInfo(reply: Buffer, sortTop = false): string {
  const top = parseWhole(reply);
  const entries = { ...top, children: top.children.map(canonicalInfoEntry) };
  return serialize(sortTop ? sortElements(entries) : entries);
}

/** A COMMAND DOCS map (or its RESP2 flattening) with the "subcommands" pairs sorted. */
function canonicalDocsBody(body: Frame): Frame {
  const children = [...body.children];
  for (let i = 0; i < children.length; i += 2) {
    if (frameText(children[i]) === 'subcommands') children[i + 1] = sortMapPairs(children[i + 1]);
  }
  return { ...body, children };
}

/** COMMAND DOCS [names]: subcommand maps sorted; with `sortTop`, the command pairs too. */
export function canonicalDocs(reply: Buffer, sortTop = false): string {
  const top = parseWhole(reply);
  const children = top.children.map((child, i) => (i % 2 === 1 ? canonicalDocsBody(child) : child));
  const docs = { ...top, children };
  return serialize(sortTop ? sortMapPairs(docs) : docs);
}

/** An array reply of names with its elements sorted (COMMAND LIST). */
export function canonicalNameList(reply: Buffer): string {
  const top = parseWhole(reply);
  return serialize(top.type === '*' ? sortElements(top) : top);
}

function withChildren(frame: Frame, children: Frame[]): Frame {
  const count = frame.type === '%' ? children.length / 2 : children.length;
  return { ...frame, header: String(count), children };
}

/**
 * COMMAND / COMMAND INFO with the entries of `names` (full names, "client|kill" too) left out,
 * at the top and among subcommands: for comparing the 7.0 part of our table with 7.0.
 */
export function dropInfoEntries(reply: Buffer, names: ReadonlySet<string>): Buffer {
  const drop = (entries: Frame): Frame => withChildren(entries, entries.children
    .filter((entry) => entry.children.length !== 10 || !names.has(frameText(entry.children[0])))
    .map((entry) => {
      if (entry.children.length !== 10) return entry;
      const children = [...entry.children];
      children[9] = drop(children[9]);
      return { ...entry, children };
    }));
  return Buffer.from(serialize(drop(parseWhole(reply))), 'latin1');
}

/** COMMAND DOCS with the entries of `names` left out, at the top and in "subcommands" maps. */
export function dropDocsEntries(reply: Buffer, names: ReadonlySet<string>): Buffer {
  const dropPairs = (docs: Frame): Frame => {
    const children: Frame[] = [];
    for (let i = 0; i < docs.children.length; i += 2) {
      if (names.has(frameText(docs.children[i]))) continue;
      children.push(docs.children[i], dropSubcommands(docs.children[i + 1]));
    }
    return withChildren(docs, children);
  };
  const dropSubcommands = (body: Frame): Frame => {
    const children = [...body.children];
    for (let i = 0; i < children.length; i += 2) {
      if (frameText(children[i]) === 'subcommands') children[i + 1] = dropPairs(children[i + 1]);
    }
    return { ...body, children };
  };
  return Buffer.from(serialize(dropPairs(parseWhole(reply))), 'latin1');
}
