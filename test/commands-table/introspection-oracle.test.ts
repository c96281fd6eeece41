/**
 * Differential tests: the COMMAND introspection replies built from the generated table
 * (every command implemented) against redis-server 7.0.15, compared as raw RESP2 and RESP3
 * bytes. Only lists that Redis emits in random dict order are sorted first (canonical.ts).
 * The commands 7.2/7.4 added are hidden here and the 7.0 commands they extended left out;
 * additions-oracle.test.ts compares those with redis-server 7.4.1.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { encodeReply, type Protocol } from '../../src/protocol/resp-encoder.js';
import type { Reply } from '../../src/protocol/reply.js';
import {
  ALL_IMPLEMENTED,
  commandAllReply,
  commandCountReply,
  commandDocsReply,
  commandHelpReply,
  commandInfoReply,
  commandListReply,
} from '../../src/commands/table/introspection.js';
import { allSpecs, findSpecByFullName, isAddedAfter70, isExtendedAfter70 } from '../../src/commands/table/lookup.js';
import { canonicalDocs, canonicalInfo, canonicalNameList, dropDocsEntries, dropInfoEntries } from './support/canonical.js';
import { ORACLE_MISSING, oracleAvailable, oracleClientsByProtocol } from './support/oracle.js';

const PROTOCOLS: Protocol[] = [2, 3];

const ours = (reply: Reply, proto: Protocol): Buffer => encodeReply(reply, proto);
/** Our table as a 7.0 server's: the commands 7.2/7.4 added are not implemented. */
const AS_IN_7_0 = (fullName: string): boolean => !isAddedAfter70(findSpecByFullName(fullName)!);
const EXTENDED = new Set([...allSpecs()].filter(isExtendedAfter70).map((spec) => spec.fullName));
const specsAsIn70 = () => [...allSpecs()].filter((spec) => !isAddedAfter70(spec) && !isExtendedAfter70(spec));
const text = (buf: Buffer): string => buf.toString('latin1');

describe('COMMAND introspection vs redis-server 7.0.15', { skip: oracleAvailable() ? false : ORACLE_MISSING }, () => {
  const clients = oracleClientsByProtocol();

  const redis = (proto: Protocol, ...args: string[]): Promise<Buffer> => clients.get(proto)!.call(...args);

  test('COMMAND INFO <name> matches for every command and subcommand', async () => {
    const mismatches: string[] = [];
    let compared = 0;
    for (const spec of specsAsIn70()) {
      for (const proto of PROTOCOLS) {
        const expected = canonicalInfo(await redis(proto, 'COMMAND', 'INFO', spec.fullName));
        const actual = canonicalInfo(ours(commandInfoReply([spec.fullName], AS_IN_7_0), proto));
        compared++;
        if (actual !== expected) mismatches.push(`RESP${proto} ${spec.fullName}\n  ours:  ${JSON.stringify(actual).slice(0, 300)}\n  redis: ${JSON.stringify(expected).slice(0, 300)}`);
      }
    }
    assert.equal(compared, (366 - EXTENDED.size) * 2);
    assert.equal(EXTENDED.size, 4);
    assert.deepEqual(mismatches.slice(0, 5), []);
  });

  test('COMMAND DOCS <name> matches for every command and subcommand', async () => {
    const mismatches: string[] = [];
    for (const spec of specsAsIn70()) {
      for (const proto of PROTOCOLS) {
        const expected = canonicalDocs(dropDocsEntries(await redis(proto, 'COMMAND', 'DOCS', spec.fullName), EXTENDED));
        const actual = canonicalDocs(dropDocsEntries(ours(commandDocsReply([spec.fullName], AS_IN_7_0), proto), EXTENDED));
        if (actual !== expected) mismatches.push(`RESP${proto} ${spec.fullName}\n  ours:  ${JSON.stringify(actual).slice(0, 300)}\n  redis: ${JSON.stringify(expected).slice(0, 300)}`);
      }
    }
    assert.deepEqual(mismatches.slice(0, 5), []);
  });

  test('COMMAND, COMMAND INFO and COMMAND DOCS without names list the same commands', async () => {
    for (const proto of PROTOCOLS) {
      const info = (reply: Buffer) => canonicalInfo(dropInfoEntries(reply, EXTENDED), true);
      const docs = (reply: Buffer) => canonicalDocs(dropDocsEntries(reply, EXTENDED), true);
      assert.equal(info(ours(commandAllReply(AS_IN_7_0), proto)), info(await redis(proto, 'COMMAND')), `COMMAND RESP${proto}`);
      assert.equal(info(ours(commandInfoReply([], AS_IN_7_0), proto)), info(await redis(proto, 'COMMAND', 'INFO')));
      assert.equal(docs(ours(commandDocsReply([], AS_IN_7_0), proto)), docs(await redis(proto, 'COMMAND', 'DOCS')));
    }
  });

  test('COMMAND INFO / DOCS with unknown, mixed-case and piped names', async () => {
    const names = ['get', 'nosuchcommand', 'CONFIG|GET', 'Config', 'get|x', 'config|nosuch', 'a|b|c', 'config|', '|get', 'MSET'];
    for (const proto of PROTOCOLS) {
      assert.equal(
        canonicalInfo(ours(commandInfoReply(names, ALL_IMPLEMENTED), proto)),
        canonicalInfo(await redis(proto, 'COMMAND', 'INFO', ...names)),
      );
      assert.equal(
        canonicalDocs(ours(commandDocsReply(names, ALL_IMPLEMENTED), proto)),
        canonicalDocs(await redis(proto, 'COMMAND', 'DOCS', ...names)),
      );
      assert.equal(text(ours(commandDocsReply(['nosuch'], ALL_IMPLEMENTED), proto)), text(await redis(proto, 'COMMAND', 'DOCS', 'nosuch')));
    }
  });

  test('COMMAND COUNT and COMMAND HELP', async () => {
    for (const proto of PROTOCOLS) {
      assert.equal(text(ours(commandCountReply(AS_IN_7_0), proto)), text(await redis(proto, 'COMMAND', 'COUNT')));
      assert.equal(text(ours(commandHelpReply(), proto)), text(await redis(proto, 'COMMAND', 'HELP')));
    }
  });

  test('COMMAND LIST with and without filters', async () => {
    const categories = [
      'keyspace', 'read', 'write', 'set', 'sortedset', 'list', 'hash', 'string', 'bitmap', 'hyperloglog', 'geo',
      'stream', 'pubsub', 'admin', 'fast', 'slow', 'blocking', 'dangerous', 'connection', 'transaction', 'scripting',
      'WRITE', 'nosuchcategory', '@read',
    ];
    const patterns = ['*', 'config*', '*|*', 'g?t', '[a-c]*', 'GET', 'x*[', 'client|*', '*range*', '\\*', ''];
    const argLists: string[][] = [
      [],
      ...categories.map((c) => ['FILTERBY', 'ACLCAT', c]),
      ...patterns.map((p) => ['filterby', 'pattern', p]),
      ['FILTERBY', 'MODULE', 'nosuchmodule'],
      // Syntax errors: a lone or repeated FILTERBY, unknown filter type, stray words.
      ['FILTERBY'],
      ['FILTERBY', 'PATTERN'],
      ['FILTERBY', 'NOSUCH', 'x'],
      ['FILTERBY', 'PATTERN', 'a', 'extra'],
      ['FILTERBY', 'PATTERN', 'a', 'FILTERBY', 'ACLCAT', 'read'],
      ['NOSUCH'],
    ];
    for (const proto of PROTOCOLS) {
      for (const args of argLists) {
        const actual = canonicalNameList(ours(commandListReply(args, AS_IN_7_0), proto));
        const expected = canonicalNameList(await redis(proto, 'COMMAND', 'LIST', ...args));
        assert.equal(actual, expected, `COMMAND LIST ${args.join(' ')} (RESP${proto})`);
      }
    }
  });
});
