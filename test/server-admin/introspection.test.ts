/**
 * Introspection details compared with redis-server 7.0.15: what CLIENT LIST / CLIENT INFO
 * say about the client running them (cmd, qbuf), and the order in which MONITOR shows a
 * function call and the commands the function runs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pairPerFile } from '../support/oracle.js';
import { RespClient } from '../support/resp-client.js';

const withPair = pairPerFile();

/** The fields of a CLIENT INFO line that do not depend on ids, addresses or time. */
function stableFields(line: string): string {
  return line
    .trim()
    .split(' ')
    .filter((f) => /^(flags|db|sub|psub|ssub|multi|qbuf|obl|oll|omem|events|cmd|user|redir|resp)=/.test(f))
    .join(' ');
}

test(
  'CLIENT INFO and CLIENT LIST show the running command and the query buffer holding it',
  withPair(async (p) => {
    const [redis, ours] = await p.connectBoth();
    try {
      for (const command of [['CLIENT', 'INFO'], ['CLIENT', 'LIST', 'ID']]) {
        const args = command[1] === 'LIST' ? [...command, String(await idOf(redis))] : command;
        const oursArgs = command[1] === 'LIST' ? [...command, String(await idOf(ours))] : command;
        const fromRedis = stableFields((await redis.call(...args)).toString('latin1').split('\r\n')[1]!);
        const fromOurs = stableFields((await ours.call(...oursArgs)).toString('latin1').split('\r\n')[1]!);
        assert.equal(fromOurs, fromRedis);
      }
    } finally {
      redis.close();
      ours.close();
    }
  }),
);

async function idOf(c: RespClient): Promise<number> {
  return Number((await c.call('CLIENT', 'ID')).toString('latin1').slice(1, -2));
}

test(
  'MONITOR shows FCALL before the commands the function runs',
  withPair(async (p) => {
    const library = "#!lua name=monlib\nredis.register_function('mset1', function(keys, args) return redis.call('SET', keys[1], args[1]) end)";
    await p.same('FUNCTION', 'LOAD', 'REPLACE', library);
    const [redisMonitor, ourMonitor] = await p.connectBoth();
    try {
      await redisMonitor.call('MONITOR');
      await ourMonitor.call('MONITOR');
      await p.same('FCALL', 'mset1', 1, 'k', 'v');
      const lines = async (c: RespClient) => {
        const out: string[] = [];
        // "+<time> [<db> <addr>|lua] ..." without the time and the address.
        for (let i = 0; i < 2; i++) out.push((await c.read()).toString('latin1').replace(/^\+[\d.]+ \[(\d+) [^\]]*\]/, '[$1]'));
        return out;
      };
      assert.deepEqual(await lines(ourMonitor), await lines(redisMonitor));
    } finally {
      redisMonitor.close();
      ourMonitor.close();
      await p.same('FUNCTION', 'DELETE', 'monlib');
    }
  }),
);
