/**
 * Stream commands against redis-server 7.0.15, RESP2 and RESP3. Explicit IDs keep the
 * replies deterministic; idle times are compared only where they are 0-ish.
 */
import { test } from 'node:test';
import { ORACLE_MISSING, startPair } from '../support/oracle.js';
import { sameInBothProtocols, type Command } from './helpers.js';

const script: Command[] = [
  ['XADD', 's', '1-1', 'a', '1'],
  ['XADD', 's', '1-*', 'b', '2'],
  ['XADD', 's', '2', 'c', '3', 'd', '4'],
  ['XADD', 's', '2-0', 'x', '1'],
  ['XADD', 's', '0-0', 'x', '1'],
  ['XADD', 's', '1-*', 'x', '1'],
  ['XADD', 's', 'abc', 'x', '1'],
  ['XADD', 's', '5-1', 'x'],
  ['XADD', 's', 'MAXLEN', '-1', '6-1', 'x', '1'],
  ['XADD', 's', 'MAXLEN', 'MINID', '6-1', 'x', '1'],
  ['XADD', 's', 'LIMIT', '10', '6-1', 'x', '1'],
  ['XADD', 's', 'MAXLEN', '10', 'LIMIT', '10', '6-1', 'x', '1'],
  ['XADD', 'nokey', 'NOMKSTREAM', '*', 'x', '1'],
  ['EXISTS', 'nokey'],
  ['XADD', 's', '3-0', 'e', '5'],
  ['XADD', 's', '4-0', 'f', '6'],
  ['XLEN', 's'],
  ['XLEN', 'nokey'],
  ['XRANGE', 's', '-', '+'],
  ['XRANGE', 's', '1', '2'],
  ['XRANGE', 's', '(1-1', '+', 'COUNT', '2'],
  ['XRANGE', 's', '-', '(3-0'],
  ['XRANGE', 's', '-', '+', 'COUNT', '0'],
  ['XRANGE', 's', '-', '+', 'COUNT', '-5'],
  ['XRANGE', 's', '-', '+', 'FOO'],
  ['XRANGE', 's', 'x', '+'],
  ['XRANGE', 's', '(-', '+'],
  ['XRANGE', 's', '(18446744073709551615-18446744073709551615', '+'],
  ['XRANGE', 's', '-', '(0-0'],
  ['XRANGE', 'nokey', '-', '+'],
  ['XREVRANGE', 's', '+', '-'],
  ['XREVRANGE', 's', '+', '-', 'COUNT', '2'],
  ['XREVRANGE', 's', '(3', '1-2'],
  ['XDEL', 's', '2-0', '99-0'],
  ['XDEL', 's', 'bad'],
  ['XDEL', 'nokey', '1-1'],
  ['XRANGE', 's', '-', '+'],
  ['XREAD', 'STREAMS', 's', '0'],
  ['XREAD', 'COUNT', '2', 'STREAMS', 's', 'nokey', '1-1', '0'],
  ['XREAD', 'STREAMS', 's', '$'],
  ['XREAD', 'STREAMS', 's', '99'],
  ['XREAD', 'STREAMS', 's'],
  ['XREAD', 'STREAMS', 's', '>'],
  ['XREAD', 'GROUP', 'g', 'c', 'STREAMS', 's', '0'],
  ['XREAD', 'NOACK', 'STREAMS', 's', '0'],
  ['XREAD', 'COUNT', '1'],
  ['XREAD', 'BLOCK', '-1', 'STREAMS', 's', '0'],
  ['XREAD', 'BLOCK', 'x', 'STREAMS', 's', '0'],
  ['XGROUP', 'CREATE', 's', 'g', '0'],
  ['XGROUP', 'CREATE', 's', 'g', '0'],
  ['XGROUP', 'CREATE', 'nokey', 'g', '0'],
  ['XGROUP', 'CREATE', 'ms', 'g', '$', 'MKSTREAM'],
  ['XGROUP', 'CREATE', 's', 'g2', '$', 'ENTRIESREAD', '-2'],
  ['XGROUP', 'CREATE', 's', 'g3', 'bad'],
  ['XINFO', 'GROUPS', 'ms'],
  ['XREADGROUP', 'GROUP', 'g', 'alice', 'COUNT', '2', 'STREAMS', 's', '>'],
  ['XREADGROUP', 'GROUP', 'g', 'bob', 'STREAMS', 's', '>'],
  ['XREADGROUP', 'GROUP', 'g', 'bob', 'STREAMS', 's', '>'],
  ['XREADGROUP', 'GROUP', 'g', 'alice', 'STREAMS', 's', '0'],
  ['XREADGROUP', 'GROUP', 'nog', 'alice', 'STREAMS', 's', '>'],
  ['XREADGROUP', 'GROUP', 'g', 'alice', 'STREAMS', 's', '$'],
  ['XREADGROUP', 'STREAMS', 's', '>'],
  ['XPENDING', 's', 'g'],
  ['XPENDING', 's', 'g', '-', '+', '10', 'nobody'],
  ['XPENDING', 's', 'nog'],
  ['XPENDING', 'nokey', 'g'],
  ['XPENDING', 's', 'g', '-', '+'],
  ['XPENDING', 's', 'g', 'IDLE', '10', '-', '+'],
  ['XACK', 's', 'g', '1-1', '9-9'],
  ['XACK', 's', 'g', 'bad'],
  ['XACK', 's', 'nog', '1-1'],
  ['XPENDING', 's', 'g'],
  ['XDEL', 's', '3-0'],
  ['XREADGROUP', 'GROUP', 'g', 'bob', 'STREAMS', 's', '0'],
  ['XCLAIM', 's', 'g', 'carol', '0', '1-2', '3-0', '4-0', 'JUSTID'],
  ['XPENDING', 's', 'g'],
  ['XCLAIM', 's', 'g', 'carol', 'x', '1-2'],
  ['XCLAIM', 's', 'g', 'carol', '0', '1-2', 'FOO'],
  ['XCLAIM', 's', 'nog', 'carol', '0', '1-2'],
  ['XCLAIM', 's', 'g', 'dave', '0', '1-1', 'FORCE', 'RETRYCOUNT', '7', 'JUSTID'],
  ['XAUTOCLAIM', 's', 'g', 'erin', '0', '0-0', 'COUNT', '1', 'JUSTID'],
  ['XAUTOCLAIM', 's', 'g', 'erin', '0', '0-0', 'COUNT', '0'],
  ['XAUTOCLAIM', 's', 'nog', 'erin', '0', '0-0'],
  ['XGROUP', 'CREATECONSUMER', 's', 'g', 'frank'],
  ['XGROUP', 'CREATECONSUMER', 's', 'g', 'frank'],
  ['XGROUP', 'CREATECONSUMER', 's', 'nog', 'frank'],
  ['XGROUP', 'DELCONSUMER', 's', 'g', 'erin'],
  ['XGROUP', 'DELCONSUMER', 's', 'g', 'nobody'],
  ['XGROUP', 'SETID', 's', 'g', '0', 'ENTRIESREAD', '0'],
  ['XGROUP', 'SETID', 's', 'nog', '0'],
  ['XINFO', 'GROUPS', 's'],
  ['XINFO', 'GROUPS', 'nokey'],
  ['XGROUP', 'DESTROY', 's', 'g2'],
  ['XGROUP', 'DESTROY', 's', 'g2'],
  ['XTRIM', 's', 'MAXLEN', '2'],
  ['XTRIM', 's', 'MINID', '5'],
  ['XTRIM', 's', 'FOO', '5'],
  ['XTRIM', 's', 'LIMIT', '5'],
  ['XTRIM', 'nokey', 'MAXLEN', '0'],
  ['XRANGE', 's', '-', '+'],
  ['XSETID', 's', '1-0'],
  ['XSETID', 's', '100-0', 'ENTRIESADDED', '50', 'MAXDELETEDID', '90-0'],
  ['XSETID', 's', '100-0', 'MAXDELETEDID', '200-0'],
  ['XSETID', 'nokey', '100-0'],
  ['XINFO', 'STREAM', 'nokey'],
  ['SET', 'str', 'v'],
  ['XADD', 'str', '*', 'a', '1'],
  ['XRANGE', 'str', '-', '+'],
  ['XREAD', 'STREAMS', 'str', '0'],
  ['XLEN', 'str'],
  ['XINFO', 'STREAM', 'str'],
  ['OBJECT', 'ENCODING', 's'],
  ['TYPE', 's'],
];

test('stream commands match redis-server', async (t) => {
  const pair = await startPair();
  if (!pair) return t.skip(ORACLE_MISSING);
  try {
    await sameInBothProtocols(pair, script);
    // Trimming: exact and approximate (whole 100-entry nodes).
    await pair.both('FLUSHALL');
    for (let i = 1; i <= 250; i++) await pair.same('XADD', 't', `${i}-0`, 'f', 'v');
    await pair.same('XTRIM', 't', 'MAXLEN', '~', '120');
    await pair.same('XLEN', 't');
    await pair.same('XTRIM', 't', 'MAXLEN', '~', '10', 'LIMIT', '50');
    await pair.same('XTRIM', 't', 'MINID', '~', '220');
    await pair.same('XTRIM', 't', 'MINID', '=', '230');
    await pair.same('XADD', 't', 'MAXLEN', '5', '300-0', 'f', 'v');
    await pair.same('XRANGE', 't', '-', '+');
    await pair.same('XINFO', 'STREAM', 't');
  } finally {
    await pair.close();
  }
});
