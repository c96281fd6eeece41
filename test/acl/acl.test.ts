/**
 * ACL users, rules, AUTH and permission checks, compared byte for byte with redis-server.
 */
import { after, before, describe, test } from 'node:test';
import { ORACLE_MISSING, startPair, type Pair } from '../support/oracle.js';

describe('ACL', () => {
  let pair: Pair | null = null;
  before(async () => {
    pair = await startPair();
  });
  after(async () => {
    await pair?.close();
  });

  /** Each case starts with a clean keyspace and only the default user. */
  async function fresh(): Promise<Pair | null> {
    if (!pair) return null;
    await pair.same('FLUSHALL');
    await pair.same('ACL', 'DELUSER', 'bob', 'alice', 'carol');
    return pair;
  }

  test('SETUSER, GETUSER, LIST and USERS describe users as Redis does', async (t) => {
    const p = await fresh();
    if (!p) return t.skip(ORACLE_MISSING);
    await p.same('ACL', 'GETUSER', 'default');
    await p.same('ACL', 'GETUSER', 'nosuch');
    await p.same('ACL', 'SETUSER', 'bob', 'on', '>123', '+@scripting', '+set', '~x*');
    await p.same('ACL', 'GETUSER', 'bob');
    await p.same('ACL', 'SETUSER', 'alice');
    await p.same('ACL', 'GETUSER', 'alice');
    await p.same('ACL', 'SETUSER', 'carol', 'on', 'nopass', 'allkeys', 'allchannels', '+@all', '-@dangerous', '-get');
    await p.same('ACL', 'GETUSER', 'carol');
    await p.same('ACL', 'SETUSER', 'carol', 'reset', '+@read', '+@write', '~a', '~b', '&news.*');
    await p.same('ACL', 'GETUSER', 'carol');
    await p.same('ACL', 'SETUSER', 'alice', '+config|get');
    await p.same('ACL', 'GETUSER', 'alice');
    await p.same('ACL', 'LIST');
    await p.same('ACL', 'USERS');
  });

  test('SETUSER errors leave the user unchanged', async (t) => {
    const p = await fresh();
    if (!p) return t.skip(ORACLE_MISSING);
    await p.same('ACL', 'SETUSER', 'bob', 'on', '>pw');
    await p.same('ACL', 'SETUSER', 'bob', '+get', 'foo');
    await p.same('ACL', 'SETUSER', 'bob', '+nosuch');
    await p.same('ACL', 'SETUSER', 'bob', '+@nosuch');
    await p.same('ACL', 'SETUSER', 'bob', '<nope');
    await p.same('ACL', 'SETUSER', 'bob', '#abc');
    await p.same('ACL', 'SETUSER', 'bob', 'allkeys', '~foo');
    await p.same('ACL', 'SETUSER', 'bob', '+debug|');
    await p.same('ACL', 'SETUSER', 'bob', '+config|get|x');
    await p.same('ACL', 'GETUSER', 'bob');
    await p.same('ACL', 'DELUSER', 'default');
    await p.same('ACL', 'DELUSER', 'bob', 'nosuch');
    await p.same('ACL', 'USERS');
  });

  test('AUTH, HELLO AUTH and WHOAMI with named users', async (t) => {
    const p = await fresh();
    if (!p) return t.skip(ORACLE_MISSING);
    await p.same('ACL', 'SETUSER', 'bob', 'on', '>123', '+@all', '~*');
    await p.same('ACL', 'SETUSER', 'alice', 'off', '>pw', '+@all');
    const [r, o] = await p.connectBoth();
    const pairOf = async (...args: string[]) => {
      const [a, b] = [await r.call(...args), await o.call(...args)];
      if (a.toString('latin1') !== b.toString('latin1')) throw new Error(`${args.join(' ')}: ${b} != ${a}`);
      return a;
    };
    await pairOf('ACL', 'WHOAMI');
    await pairOf('AUTH', 'bob', 'wrong');
    await pairOf('AUTH', 'alice', 'pw');
    await pairOf('AUTH', 'nosuch', 'pw');
    await pairOf('AUTH', 'bob', '123');
    await pairOf('ACL', 'WHOAMI');
    await pairOf('AUTH', 'default', 'anything');
    await pairOf('ACL', 'WHOAMI');
    await pairOf('HELLO', '2', 'AUTH', 'bob', '123');
    await pairOf('ACL', 'WHOAMI');
    await pairOf('RESET');
    await pairOf('ACL', 'WHOAMI');
    r.close();
    o.close();
  });

  test('commands and keys outside the user rules are refused with NOPERM', async (t) => {
    const p = await fresh();
    if (!p) return t.skip(ORACLE_MISSING);
    await p.same('ACL', 'SETUSER', 'bob', 'on', '>123', '+@scripting', '+@transaction', '+set', '+get', '+mset', '+config|get', '~x*');
    const [r, o] = await p.connectBoth();
    const pairOf = async (...args: string[]) => {
      const [a, b] = [await r.call(...args), await o.call(...args)];
      if (a.toString('latin1') !== b.toString('latin1')) throw new Error(`${args.join(' ')}: ${b} != ${a}`);
    };
    await pairOf('AUTH', 'bob', '123');
    await pairOf('SET', 'xa', '1');
    await pairOf('GET', 'xa');
    await pairOf('SET', 'ya', '1');
    await pairOf('MSET', 'xb', '1', 'yb', '2');
    await pairOf('HSET', 'xh', 'f', 'v');
    await pairOf('CONFIG', 'GET', 'maxmemory');
    await pairOf('CONFIG', 'SET', 'maxmemory', '0');
    await pairOf('MULTI');
    await pairOf('SET', 'xc', '1');
    await pairOf('DEL', 'xc');
    await pairOf('EXEC');
    await pairOf('EVAL', "return redis.call('set', KEYS[1], 1)", '1', 'xd');
    await pairOf('EVAL', "return redis.pcall('set', 'yd', 1)", '0');
    await pairOf('EVAL', "return redis.pcall('hset', 'xd', 'f', 1)", '0');
    await pairOf('EVAL', "return redis.acl_check_cmd('set','xx',1)", '1', 'xx');
    await pairOf('EVAL', "return redis.acl_check_cmd('hset','xx','f',1)", '1', 'xx');
    await pairOf('EVAL', "return redis.acl_check_cmd('set','yy',1)", '0');
    await pairOf('EVAL', "return redis.acl_check_cmd('invalid-cmd','arg')", '0');
    r.close();
    o.close();
  });

  test('CAT lists categories and their commands', async (t) => {
    const p = await fresh();
    if (!p) return t.skip(ORACLE_MISSING);
    await p.same('ACL', 'CAT');
    await p.same('ACL', 'CAT', 'nosuch');
    for (const category of ['scripting', 'hyperloglog', 'geo']) {
      const [a, b] = await p.both('ACL', 'CAT', category);
      const names = (buf: Buffer) => buf.toString('latin1').split('\r\n').filter((l) => /^[a-z|]+$/.test(l)).sort();
      if (names(a).join() !== names(b).join()) throw new Error(`ACL CAT ${category}: ${names(b)} != ${names(a)}`);
      if (names(a).length === 0) throw new Error('empty category');
    }
  });
});
