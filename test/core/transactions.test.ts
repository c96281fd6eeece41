/**
 * MULTI/EXEC/DISCARD/WATCH against redis-server 7.0.15.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pairPerFile, show } from '../support/oracle.js';

const withPair = pairPerFile({}, []);

const SCRIPTS: Record<string, (string | number)[][]> = {
  'basic exec': [['MULTI'], ['SET', 'a', '1'], ['INCR', 'a'], ['GET', 'a'], ['EXEC']],
  'discard': [['MULTI'], ['SET', 'a', '1'], ['DISCARD'], ['GET', 'a'], ['DISCARD'], ['EXEC']],
  'nested multi': [['MULTI'], ['MULTI'], ['EXEC']],
  'queued error aborts': [['MULTI'], ['SET', 'a'], ['NOSUCHCMD'], ['SET', 'b', '1'], ['EXEC'], ['GET', 'b']],
  'runtime error does not abort': [['SET', 's', 'x'], ['MULTI'], ['INCR', 's'], ['SET', 't', '1'], ['EXEC'], ['GET', 't']],
  'watch inside multi': [['MULTI'], ['WATCH', 'x'], ['EXEC']],
  'watch unmodified': [['WATCH', 'w'], ['MULTI'], ['SET', 'w', '1'], ['EXEC']],
  'watch modified by self before multi': [['WATCH', 'w'], ['SET', 'w', '2'], ['MULTI'], ['GET', 'w'], ['EXEC']],
  'unwatch': [['WATCH', 'w'], ['SET', 'w', '2'], ['UNWATCH'], ['MULTI'], ['GET', 'w'], ['EXEC']],
  'flushall touches watched existing key': [['SET', 'w', '1'], ['WATCH', 'w'], ['FLUSHALL'], ['MULTI'], ['PING'], ['EXEC']],
  'flushall does not touch missing key': [['WATCH', 'nokey'], ['FLUSHALL'], ['MULTI'], ['PING'], ['EXEC']],
  'exec without multi': [['EXEC']],
  'multi with select': [['MULTI'], ['SELECT', '1'], ['SET', 'x', 'db1'], ['SELECT', '0'], ['EXEC'], ['GET', 'x']],
};

for (const [name, cmds] of Object.entries(SCRIPTS)) {
  for (const proto of ['2', '3']) {
    test(`multi: ${name} (RESP${proto})`, withPair(async (pair) => {
      await pair.same('FLUSHALL');
      await pair.same('HELLO', proto);
      for (const c of cmds) await pair.same(...c);
      await pair.same('HELLO', '2');
    }));
  }
}

test('multi: WATCH broken by another client, and by expiry', withPair(async (pair) => {
  const [r2, o2] = await pair.connectBoth();
  await pair.same('FLUSHALL');
  await pair.same('SET', 'k', '1');
  await pair.same('WATCH', 'k');
  assert.equal(show(await o2.call('SET', 'k', '2')), show(await r2.call('SET', 'k', '2')));
  await pair.same('MULTI');
  await pair.same('GET', 'k');
  await pair.same('EXEC');
  // expiry after WATCH breaks the transaction
  await pair.same('SET', 'e', '1', 'PX', '30');
  await pair.same('WATCH', 'e');
  await new Promise((r) => setTimeout(r, 80));
  await pair.same('MULTI');
  await pair.same('PING');
  await pair.same('EXEC');
  r2.close();
  o2.close();
}));
