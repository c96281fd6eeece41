/**
 * Busy scripts: past busy-reply-threshold other clients get BUSY, SCRIPT KILL /
 * FUNCTION KILL end the script (unless it wrote), FUNCTION STATS reports it, and the
 * cross-kill errors. Compared with redis-server 7.0.15.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pairPerFile, type Pair } from '../support/oracle.js';
import { RespClient } from '../support/resp-client.js';
import { decodeReply } from '../support/resp-decode.js';

const withPair = pairPerFile({ 'busy-reply-threshold': '100' }, []);


const LOOP_LIB = `#!lua name=loops
redis.register_function('spin', function() local i = 0 while true do i = i + 1 end end)
redis.register_function('write_then_spin', function(keys) redis.call('set', keys[1], 'x') local i = 0 while i < 3000000 do i = i + 1 end return i end)`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Starts `args` on a fresh connection to each server, then runs `during` once both are busy. */
async function whileBusy(pair: Pair, args: string[], during: (redis: RespClient, ours: RespClient) => Promise<void>): Promise<[string, string]> {
  const [r1, o1] = await pair.connectBoth();
  const [r2, o2] = await pair.connectBoth();
  const replies = [r1.call(...args), o1.call(...args)];
  await sleep(300);
  await during(r2, o2);
  const [rr, oo] = await Promise.all(replies);
  for (const c of [r1, o1, r2, o2]) c.close();
  return [rr.toString('latin1'), oo.toString('latin1')];
}

test('EVAL busy loop: BUSY for others, FUNCTION KILL refused, SCRIPT KILL ends it', withPair(async (pair) => {
  const [r, o] = await whileBusy(pair, ['EVAL', 'local i = 0 while true do i = i + 1 end', '0'], async (redis, ours) => {
    for (const cmd of [['PING'], ['GET', 'x'], ['FUNCTION', 'KILL'], ['FUNCTION', 'STATS']]) {
      assert.equal((await ours.call(...cmd)).toString(), (await redis.call(...cmd)).toString(), cmd.join(' '));
    }
    assert.equal((await ours.call('SCRIPT', 'KILL')).toString(), '+OK\r\n');
    assert.equal((await redis.call('SCRIPT', 'KILL')).toString(), '+OK\r\n');
  });
  assert.match(r, /^-ERR Script killed by user with SCRIPT KILL\.\.\. script: [0-9a-f]{40}, on @user_script:1\.\r\n$/);
  assert.equal(o, r);
  await pair.same('PING');
  await pair.same('SCRIPT', 'KILL');
}));

test('FCALL busy loop: FUNCTION STATS shows it, SCRIPT KILL refused, FUNCTION KILL ends it', withPair(async (pair) => {
  await pair.same('FUNCTION', 'FLUSH');
  await pair.same('FUNCTION', 'LOAD', LOOP_LIB);
  const [r, o] = await whileBusy(pair, ['FCALL', 'spin', '0'], async (redis, ours) => {
    for (const cmd of [['PING'], ['SCRIPT', 'KILL'], ['FUNCTION', 'RESTORE', 'x']]) {
      assert.equal((await ours.call(...cmd)).toString(), (await redis.call(...cmd)).toString(), cmd.join(' '));
    }
    const stats = decodeReply(await ours.call('FUNCTION', 'STATS')) as unknown[];
    const running = stats[1] as unknown[];
    assert.deepEqual(running.slice(0, 4), ['name', 'spin', 'command', ['FCALL', 'spin', '0']]);
    assert.equal((await ours.call('FUNCTION', 'KILL')).toString(), '+OK\r\n');
    assert.equal((await redis.call('FUNCTION', 'KILL')).toString(), '+OK\r\n');
  });
  assert.equal(o, r);
  await pair.same('FUNCTION', 'KILL');
}));

test('a script that wrote cannot be killed', withPair(async (pair) => {
  await pair.same('FUNCTION', 'FLUSH');
  await pair.same('FUNCTION', 'LOAD', LOOP_LIB);
  const [r, o] = await whileBusy(pair, ['FCALL', 'write_then_spin', '1', 'k'], async (redis, ours) => {
    const theirs = (await redis.call('FUNCTION', 'KILL')).toString();
    const mine = (await ours.call('FUNCTION', 'KILL')).toString();
    // Redis may already have finished the loop; when both are still busy they agree.
    if (theirs.startsWith('-UNKILLABLE') && !mine.startsWith('-NOTBUSY')) assert.equal(mine, theirs);
  });
  assert.equal(o, r);
  await pair.same('GET', 'k');
}));
