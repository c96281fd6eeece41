/**
 * Differential tests for COMMAND GETKEYS / GETKEYSANDFLAGS: key specs (index, keyword,
 * range, keynum, limits), Redis's hand-written extractors, and the error replies, against
 * redis-server 7.0.15 byte for byte in RESP2 and RESP3.
 *
 * COMMAND GETKEYS needs the command and at least one argument: shorter lines fail
 * COMMAND's own arity check in the dispatcher, so they are not sent here.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { encodeReply, type Protocol } from '../../src/protocol/resp-encoder.js';
import { ALL_IMPLEMENTED, commandGetKeysReply } from '../../src/commands/table/introspection.js';
import { commandHasKeys } from '../../src/commands/table/keys.js';
import { allSpecs, isAddedAfter70, isExtendedAfter70 } from '../../src/commands/table/lookup.js';
import { ORACLE_MISSING, oracleAvailable, oracleClientsByProtocol } from './support/oracle.js';


const CASES: string[][] = [
  // Plain index/range specs.
  ['get', 'k'],
  ['GET', 'k'],
  ['mget', 'a', 'b', 'c'],
  ['del', 'a', 'b'],
  ['exists', 'a', 'b'],
  ['mset', 'a', '1', 'b', '2'],
  ['mset', 'a', '1', 'b'],
  ['msetnx', 'a', '1', 'b', '2'],
  ['rename', 'a', 'b'],
  ['copy', 'a', 'b', 'DB', '1'],
  ['smove', 'a', 'b', 'm'],
  ['lmove', 'a', 'b', 'LEFT', 'RIGHT'],
  ['blmove', 'a', 'b', 'LEFT', 'RIGHT', '0'],
  ['brpoplpush', 'a', 'b', '0'],
  ['blpop', 'a', 'b', '0'],
  ['bzpopmin', 'a', 'b', '0'],
  ['hset', 'h', 'f', 'v'],
  ['pfmerge', 'd', 'a', 'b'],
  ['pfcount', 'a', 'b'],
  ['bitop', 'AND', 'd', 'a', 'b'],
  ['sunionstore', 'd', 'a', 'b'],
  ['zrangestore', 'd', 's', '0', '1'],
  ['lcs', 'a', 'b'],
  ['watch', 'a', 'b'],
  ['touch', 'a'],
  ['xadd', 's', '*', 'f', 'v'],
  ['geosearchstore', 'd', 's', 'FROMMEMBER', 'm', 'BYRADIUS', '1', 'km'],
  // Subcommands.
  ['object', 'encoding', 'k'],
  ['OBJECT', 'FREQ', 'k'],
  ['memory', 'usage', 'k'],
  ['xinfo', 'stream', 's'],
  ['xgroup', 'create', 's', 'g', '$'],
  ['object', 'help'],
  ['config', 'get', 'x'],
  ['config', 'x'],
  ['config', 'nosuch'],
  // keynum specs and their fallbacks.
  ['eval', 'return 1', '2', 'a', 'b', 'c'],
  ['eval', 's', '0'],
  ['eval', 's', '-1'],
  ['eval', 's', '3', 'a'],
  ['eval', 's', 'x'],
  ['eval', 's', '01', 'a'],
  ['eval', 's', ' 1', 'a'],
  ['eval', 's', '+1', 'a'],
  ['evalsha', 'sha', '1', 'k'],
  ['eval_ro', 's', '1', 'k'],
  ['evalsha_ro', 's', '2', 'k', 'l'],
  ['fcall', 'f', '1', 'k', 'arg'],
  ['fcall_ro', 'f', '0'],
  ['zunionstore', 'd', '2', 'a', 'b', 'WEIGHTS', '1', '2'],
  ['zunionstore', 'd', '0', 'a'],
  ['zunionstore', 'd', '5', 'a'],
  ['zinterstore', 'd', '1x', 'a'],
  ['zdiffstore', 'd', '2', 'a', 'b'],
  ['zunion', '2', 'a', 'b'],
  ['zinter', '1', 'a'],
  ['zdiff', '2', 'a', 'b'],
  ['zintercard', '2', 'a', 'b', 'LIMIT', '1'],
  ['sintercard', '2', 'a', 'b'],
  ['sintercard', '0', 'a'],
  ['lmpop', '2', 'a', 'b', 'LEFT'],
  ['lmpop', '0', 'a', 'LEFT'],
  ['lmpop', '3', 'a', 'LEFT'],
  ['blmpop', '0', '2', 'a', 'b', 'LEFT'],
  ['zmpop', '1', 'a', 'MIN'],
  ['bzmpop', '1.5', '2', 'a', 'b', 'MAX', 'COUNT', '2'],
  // Keyword specs.
  ['xread', 'STREAMS', 'a', 'b', '1', '2'],
  ['xread', 'COUNT', '2', 'STREAMS', 'a', '0'],
  ['xread', 'BLOCK', '0', 'streams', 'a', '0'],
  ['xread', 'STREAMS', 'a', 'b', '0'],
  ['xread', 'COUNT', 'STREAMS', 'STREAMS', 'a', '0'],
  ['xread', 'streams', 's'],
  ['xread', 'nosuch', 'STREAMS', 'a', '0'],
  ['xreadgroup', 'GROUP', 'g', 'c', 'STREAMS', 'a', '0'],
  ['xreadgroup', 'GROUP', 'g', 'c', 'NOACK', 'COUNT', '1', 'STREAMS', 'a', 'b', '0', '0'],
  ['georadius', 'g', '0', '0', '1', 'km'],
  ['georadius', 'g', '0', '0', '1', 'km', 'STORE', 'd'],
  ['georadius', 'g', '0', '0', '1', 'km', 'STORE', 'd', 'STOREDIST', 'e'],
  ['georadius', 'g', '0', '0', '1', 'km', 'STORE'],
  ['georadiusbymember', 'g', 'm', '1', 'km', 'STOREDIST', 'd'],
  ['georadius_ro', 'g', '0', '0', '1', 'km'],
  ['migrate', 'h', 'p', 'k', '0', '1000'],
  ['migrate', 'h', 'p', '', '0', '1000', 'COPY', 'AUTH', 'pw', 'KEYS', 'a', 'b'],
  ['migrate', 'h', 'p', 'k', '0', '1000', 'KEYS', 'a'],
  ['migrate', 'h', 'p', '', '0', '1000', 'AUTH2', 'u', 'keys', 'KEYS', 'a'],
  ['migrate', 'h', 'p', '', '0', '1000', 'REPLACE'],
  // Hand-written extractors with flags.
  ['set', 'k', 'v'],
  ['set', 'k', 'v', 'GET'],
  ['set', 'k', 'v', 'EX', '10', 'get'],
  ['set', 'k', 'v', 'get\0junk'],
  ['set', 'k', 'v', 'gets'],
  ['sort', 'k'],
  ['sort', 'k', 'STORE', 'd'],
  ['sort', 'k', 'BY', 'p', 'GET', '#', 'LIMIT', '0', '1', 'STORE', 'd', 'STORE', 'e'],
  ['sort', 'k', 'store'],
  ['sort', 'k', 'GET', 'store', 'ALPHA'],
  ['sort', 'k', 'LIMIT', '0'],
  ['sort_ro', 'k', 'BY', 'x'],
  ['bitfield', 'k', 'GET', 'u8', '0'],
  ['bitfield', 'k', 'SET', 'u8', '0', '1'],
  ['bitfield', 'k', 'OVERFLOW', 'SAT', 'GET', 'u8', '0'],
  ['bitfield', 'k', 'GET', 'u8'],
  ['bitfield_ro', 'k', 'GET', 'u8', '0'],
  // Errors: unknown command, no keys, arity, not-key specs.
  ['nosuch', 'x'],
  ['ping', 'x'],
  ['publish', 'ch', 'm'],
  ['spublish', 'ch', 'm'],
  ['ssubscribe', 'a'],
  ['function', 'load', 'x'],
  ['get', 'a', 'b'],
  ['rename', 'a'],
  ['object', 'encoding'],
  ['config', 'get'],
  ['xread', 'COUNT'],
];

/**
 * Synthetic command lines for every command that has keys: the minimal length allowed by
 * its arity and a few longer ones, filled with distinct words or with small numbers (so
 * numkeys-style arguments parse).
 */
function syntheticCommandLines(): string[][] {
  const lines: string[][] = [];
  for (const spec of allSpecs()) {
    // The 7.2/7.4 additions are checked against 7.4.1 in additions-oracle.test.ts.
    if (spec.subcommands !== undefined || !commandHasKeys(spec) || isAddedAfter70(spec) || isExtendedAfter70(spec)) continue;
    const prefix = spec.container === undefined ? [spec.name] : [spec.container, spec.name];
    const minimum = Math.abs(spec.arity);
    const lengths = spec.arity > 0 ? [minimum] : [minimum, minimum + 1, minimum + 2, minimum + 5];
    for (const length of lengths) {
      const free = length - prefix.length;
      lines.push([...prefix, ...Array.from({ length: free }, (_, i) => `w${i}`)]);
      lines.push([...prefix, ...Array.from({ length: free }, (_, i) => String((i % 3) + 1))]);
    }
  }
  return lines;
}

describe('COMMAND GETKEYS / GETKEYSANDFLAGS vs redis-server 7.0.15', { skip: oracleAvailable() ? false : ORACLE_MISSING }, () => {
  const clients = oracleClientsByProtocol();

  for (const withFlags of [false, true]) {
    const subcommand = withFlags ? 'GETKEYSANDFLAGS' : 'GETKEYS';
    test(`COMMAND ${subcommand} over ${CASES.length} command lines`, async () => {
      const mismatches: string[] = [];
      for (const argv of CASES) {
        for (const proto of [2, 3] as Protocol[]) {
          const expected = (await clients.get(proto)!.call('COMMAND', subcommand, ...argv)).toString('latin1');
          const actual = encodeReply(commandGetKeysReply(argv, withFlags, ALL_IMPLEMENTED), proto).toString('latin1');
          if (actual !== expected) {
            mismatches.push(`RESP${proto} ${JSON.stringify(argv)}\n  ours:  ${JSON.stringify(actual)}\n  redis: ${JSON.stringify(expected)}`);
          }
        }
      }
      assert.deepEqual(mismatches, []);
    });
  }

  test('COMMAND GETKEYSANDFLAGS on synthetic lines for every command with keys', async () => {
    const lines = syntheticCommandLines();
    assert.ok(lines.length > 500, `only ${lines.length} synthetic lines`);
    const mismatches: string[] = [];
    for (const argv of lines) {
      for (const proto of [2, 3] as Protocol[]) {
        const expected = (await clients.get(proto)!.call('COMMAND', 'GETKEYSANDFLAGS', ...argv)).toString('latin1');
        const actual = encodeReply(commandGetKeysReply(argv, true, ALL_IMPLEMENTED), proto).toString('latin1');
        if (actual !== expected) mismatches.push(`RESP${proto} ${JSON.stringify(argv)}: ours ${JSON.stringify(actual)} redis ${JSON.stringify(expected)}`);
      }
    }
    assert.deepEqual(mismatches.slice(0, 10), []);
  });
});
