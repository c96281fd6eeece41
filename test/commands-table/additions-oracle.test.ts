/**
 * Differential tests of the commands and arguments Redis 7.2 and 7.4 added to the table
 * (scripts/command-additions.json) against redis-server 7.4.1 (../shared/oracles):
 * COMMAND INFO byte for byte, COMMAND DOCS byte for byte but for the texts the additions
 * file words itself (summary, complexity) and 7.2's display_text, which a 7.0 table does
 * not print, and COMMAND GETKEYSANDFLAGS on synthetic lines.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { encodeReply, type Protocol } from '../../src/protocol/resp-encoder.js';
import {
  ALL_IMPLEMENTED,
  commandDocsReply,
  commandGetKeysReply,
  commandInfoReply,
} from '../../src/commands/table/introspection.js';
import { allSpecs, isAddedAfter70, isExtendedAfter70 } from '../../src/commands/table/lookup.js';
import { commandHasKeys } from '../../src/commands/table/keys.js';
import { newerOracleBinary, newerOracleMissing } from '../support/oracle.js';
import { type Frame, parseWhole } from '../support/resp-decode.js';
import { canonicalInfo } from './support/canonical.js';
import { oracleClientsByProtocol } from './support/oracle.js';
import { frameText, serialize } from './support/resp-frames.js';

const binary = newerOracleBinary('redis-server-7.4.1');
const CHANGED = [...allSpecs()].filter((spec) => isAddedAfter70(spec) || isExtendedAfter70(spec));
const OWN_WORDS = new Set(['summary', 'complexity', 'display_text']);

/** A RESP3 COMMAND DOCS reply without the pairs of OWN_WORDS, at every depth. */
function docsWithoutOwnWords(reply: Buffer): Frame {
  const strip = (frame: Frame): Frame => {
    if (frame.type !== '%') return { ...frame, children: frame.children.map(strip) };
    const children: Frame[] = [];
    for (let i = 0; i < frame.children.length; i += 2) {
      if (OWN_WORDS.has(frameText(frame.children[i]))) continue;
      children.push(frame.children[i], strip(frame.children[i + 1]));
    }
    return { ...frame, header: String(children.length / 2), children };
  };
  return strip(parseWhole(reply));
}

/** The value of `key` in the first map found depth-first that has it. */
function mapValue(frame: Frame, key: string): Frame | undefined {
  if (frame.type === '%') {
    for (let i = 0; i < frame.children.length; i += 2) if (frameText(frame.children[i]) === key) return frame.children[i + 1];
  }
  for (const child of frame.children) {
    const found = mapValue(child, key);
    if (found) return found;
  }
  return undefined;
}

/** The argument map whose "name" is `name`, anywhere in a docs reply. */
function findArgument(frame: Frame, name: string): Frame | undefined {
  if (frame.type === '%') {
    for (let i = 0; i < frame.children.length; i += 2) {
      if (frameText(frame.children[i]) === 'name' && frameText(frame.children[i + 1]) === name) return frame;
    }
  }
  for (const child of frame.children) {
    const found = findArgument(child, name);
    if (found) return found;
  }
  return undefined;
}

describe('the 7.2/7.4 additions vs redis-server 7.4.1', { skip: binary ? false : newerOracleMissing('redis-server-7.4.1') }, () => {
  const clients = oracleClientsByProtocol(binary ?? undefined);

  test('the table holds 13 new commands and 4 extended ones', () => {
    assert.equal(CHANGED.filter(isAddedAfter70).length, 13);
    assert.deepEqual(CHANGED.filter(isExtendedAfter70).map((s) => s.fullName).sort(), ['client|kill', 'hscan', 'zrank', 'zrevrank']);
  });

  test('COMMAND INFO matches byte for byte', async () => {
    for (const spec of CHANGED) {
      for (const proto of [2, 3] as Protocol[]) {
        const expected = canonicalInfo(await clients.get(proto)!.call('COMMAND', 'INFO', spec.fullName));
        const actual = canonicalInfo(encodeReply(commandInfoReply([spec.fullName], ALL_IMPLEMENTED), proto));
        assert.equal(actual, expected, `COMMAND INFO ${spec.fullName} RESP${proto}`);
      }
    }
  });

  test('COMMAND DOCS of the new commands matches but for our own words and display_text', async () => {
    for (const spec of CHANGED.filter(isAddedAfter70)) {
      const expected = serialize(docsWithoutOwnWords(await clients.get(3)!.call('COMMAND', 'DOCS', spec.fullName)));
      const actual = serialize(docsWithoutOwnWords(encodeReply(commandDocsReply([spec.fullName], ALL_IMPLEMENTED), 3)));
      assert.equal(actual, expected, `COMMAND DOCS ${spec.fullName}`);
    }
  });

  test('COMMAND DOCS of an extended command holds the new argument and history as 7.4.1 does', async () => {
    // 7.4 also renamed some of 7.0's arguments (client|kill's "ip:port" became "old-format"),
    // which a 7.0 table keeps: only what was appended is compared.
    const appended: Record<string, string> = { 'client|kill': 'maxage', hscan: 'novalues', zrank: 'withscore', zrevrank: 'withscore' };
    for (const [name, argument] of Object.entries(appended)) {
      const theirs = docsWithoutOwnWords(await clients.get(3)!.call('COMMAND', 'DOCS', name));
      const ours = docsWithoutOwnWords(encodeReply(commandDocsReply([name], ALL_IMPLEMENTED), 3));
      const expected = findArgument(theirs, argument);
      assert.ok(expected, `7.4.1 documents ${name} ${argument}`);
      assert.equal(serialize(findArgument(ours, argument) ?? ours), serialize(expected), `${name} ${argument}`);
      const history = (docs: Frame) => { const found = mapValue(docs, 'history'); return found ? serialize(found) : 'none'; };
      assert.equal(history(ours), history(theirs), `${name} history`);
    }
  });

  test('COMMAND GETKEYSANDFLAGS on synthetic lines', async () => {
    let compared = 0;
    for (const spec of CHANGED) {
      if (!commandHasKeys(spec)) continue;
      const minimum = Math.abs(spec.arity);
      for (const length of [minimum, minimum + 1, minimum + 3]) {
        const argv = [spec.name, ...Array.from({ length: length - 1 }, (_, i) => (i === 2 ? '1' : `w${i}`))];
        for (const proto of [2, 3] as Protocol[]) {
          const expected = (await clients.get(proto)!.call('COMMAND', 'GETKEYSANDFLAGS', ...argv)).toString('latin1');
          const actual = encodeReply(commandGetKeysReply(argv, true, ALL_IMPLEMENTED), proto).toString('latin1');
          assert.equal(actual, expected, `${argv.join(' ')} RESP${proto}`);
          compared++;
        }
      }
    }
    assert.ok(compared >= 60, `only ${compared} lines compared`);
  });
});
