/**
 * Connection commands and dispatch errors against redis-server 7.0.15.
 */
import { test } from 'node:test';
import { ownPair, pairPerFile } from '../support/oracle.js';

const withPair = pairPerFile({}, []);

const CASES: (string | number)[][] = [
  ['PING'], ['PING', 'hi'], ['PING', 'a', 'b'], ['ECHO', 'x'], ['ECHO'],
  ['HELLO', '4'], ['HELLO', 'x'], ['HELLO', '2', 'FOO'], ['HELLO', '2', 'SETNAME', 'bad name'], ['HELLO', '3', 'SETNAME', 'good'],
  ['CLIENT', 'GETNAME'], ['HELLO', '2'], ['CLIENT', 'SETNAME', 'n1'], ['CLIENT', 'GETNAME'], ['CLIENT', 'SETNAME', 'a b'],
  ['CLIENT', 'ID'], ['CLIENT', 'FOO'], ['CLIENT'], ['CONFIG', 'FOO'], ['SELECT', '99'], ['SELECT', 'x'], ['SELECT', '-1'],
  ['AUTH', 'x'], ['AUTH', 'u', 'p'], ['AUTH', 'a', 'b', 'c'], ['NOSUCH'], ['nosuch', 'a', 'b'],
  ['GET', 'a', 'b'], ['get'], ['CLIENT', 'NO-EVICT', 'maybe'], ['CLIENT', 'REPLY', 'maybe'], ['CLIENT', 'PAUSE', 'abc'],
  ['CLIENT', 'KILL', 'ID', '0'], ['CLIENT', 'KILL', 'ID', '999999'], ['CLIENT', 'KILL', 'ADDR'], ['CLIENT', 'KILL', '1.2.3.4:5'],
  ['COMMAND', 'INFO', 'get', 'set', 'nosuch'], ['COMMAND', 'GETKEYS', 'SET', 'a', 'b'], ['COMMAND', 'GETKEYS', 'GET'],
];

test('connection commands and dispatch errors', withPair(async (pair) => {
  for (const c of CASES) await pair.same(...c);
}));

test('requirepass: NOAUTH, AUTH, HELLO AUTH', ownPair({ requirepass: 'secret' }, async (p) => {
  for (const c of [['GET', 'x'], ['PING'], ['AUTH', 'wrong'], ['HELLO', '3'], ['HELLO', '2', 'AUTH', 'default', 'wrong'], ['AUTH', 'secret'], ['GET', 'x'], ['AUTH', 'default', 'secret']]) {
    await p.same(...c);
  }
  const [r, o] = await p.connectBoth();
  const a = await r.call('HELLO', '2', 'AUTH', 'default', 'secret');
  const b = await o.call('HELLO', '2', 'AUTH', 'default', 'secret');
  // ids differ on new connections only by the counter; compare the reply shapes
  if (a.toString().replace(/:\d+\r\n\$4\r\nmode/, '') !== b.toString().replace(/:\d+\r\n\$4\r\nmode/, '')) throw new Error(`${a} != ${b}`);
  r.close();
  o.close();
}));

test('CLIENT REPLY OFF/SKIP/ON', withPair(async (pair) => {
  for (const c of [pair.redis, pair.ours]) {
    c.writeRaw('*3\r\n$6\r\nCLIENT\r\n$5\r\nREPLY\r\n$4\r\nSKIP\r\n*2\r\n$4\r\nECHO\r\n$1\r\na\r\n*2\r\n$4\r\nECHO\r\n$1\r\nb\r\n');
  }
  await pair.same('ECHO', 'c');
  for (const c of [pair.redis, pair.ours]) {
    c.writeRaw('*3\r\n$6\r\nCLIENT\r\n$5\r\nREPLY\r\n$3\r\nOFF\r\n*2\r\n$4\r\nECHO\r\n$1\r\nd\r\n');
  }
  await pair.same('CLIENT', 'REPLY', 'ON');
  await pair.same('ECHO', 'e');
}));
