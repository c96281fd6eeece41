/**
 * SORT and SORT_RO against redis-server 7.0.15, RESP2 and RESP3.
 */
import { test } from 'node:test';
import { pairPerFile } from '../support/oracle.js';
import { sameInBothProtocols, type Command } from './helpers.js';

const withPair = pairPerFile();

const script: Command[] = [
  ['RPUSH', 'l', '3', '1', '2', '10', '-1.5'],
  ['SORT', 'l'],
  ['SORT', 'l', 'DESC'],
  ['SORT', 'l', 'ALPHA'],
  ['SORT', 'l', 'LIMIT', '1', '2'],
  ['SORT', 'l', 'LIMIT', '-1', '2'],
  ['SORT', 'l', 'LIMIT', '10', '2'],
  ['SORT', 'l', 'LIMIT', '0', '-1', 'DESC'],
  ['SORT', 'l', 'LIMIT', 'x', '1'],
  ['SORT', 'l', 'FOO'],
  ['MSET', 'w_3', '30', 'w_1', '10', 'w_2', '20', 'w_10', '5', 'o_3', 'three', 'o_1', 'one'],
  ['HSET', 'h_1', 'f', 'z'],
  ['HSET', 'h_2', 'f', 'a'],
  ['SORT', 'l', 'BY', 'w_*'],
  ['SORT', 'l', 'BY', 'w_*', 'DESC', 'GET', 'o_*', 'GET', '#'],
  ['SORT', 'l', 'BY', 'nosort'],
  ['SORT', 'l', 'BY', 'nosort', 'LIMIT', '1', '2', 'GET', 'h_*->f'],
  ['SORT', 'l', 'BY', 'h_*->f', 'ALPHA'],
  ['SORT', 'l', 'BY', 'h_*->f', 'ALPHA', 'DESC', 'GET', 'h_*->f'],
  ['SORT', 'l', 'GET', 'h_*->', 'GET', 'nostar'],
  ['SORT', 'l', 'STORE', 'dst'],
  ['LRANGE', 'dst', '0', '-1'],
  ['SORT', 'l', 'GET', 'o_*', 'STORE', 'dst'],
  ['LRANGE', 'dst', '0', '-1'],
  ['SORT', 'nokey', 'STORE', 'dst'],
  ['EXISTS', 'dst'],
  ['SORT_RO', 'l', 'DESC'],
  ['SORT_RO', 'l', 'STORE', 'dst'],
  ['RPUSH', 'bad', '1', 'x'],
  ['SORT', 'bad'],
  ['SORT', 'bad', 'ALPHA'],
  ['SORT', 'nokey'],
  ['SADD', 's', '5', '3', '9', '1'],
  ['SORT', 's'],
  ['SORT', 's', 'BY', 'nosort'],
  ['SORT', 's', 'BY', 'nosort', 'STORE', 'sd'],
  ['LRANGE', 'sd', '0', '-1'],
  ['ZADD', 'z', '1', 'c', '2', 'b', '3', 'a'],
  ['SORT', 'z', 'ALPHA'],
  ['SORT', 'z', 'BY', 'nosort'],
  ['SORT', 'z', 'BY', 'nosort', 'DESC', 'LIMIT', '0', '2'],
  ['SORT', 'z'],
  ['SET', 'str', 'v'],
  ['SORT', 'str'],
  ['HSET', 'hash', 'a', '1'],
  ['SORT', 'hash'],
  ['RPUSH', 'ties', 'b', 'a', 'c'],
  ['SORT', 'ties', 'BY', 'missing_*'],
  ['SORT', 'ties', 'BY', 'missing_*', 'ALPHA'],
];

test('SORT matches redis-server', withPair(async (pair) => {
  await sameInBothProtocols(pair, script);
}));
