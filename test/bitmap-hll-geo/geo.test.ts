/**
 * Geo commands against redis-server 7.0.15, RESP2 and RESP3, plus GEOADD/GEOSEARCH with
 * seeded random points and shapes.
 */
import { test } from 'node:test';
import { pairPerFile } from '../support/oracle.js';
import { randInt, sameInBothProtocols, seededRandom, type Command } from './helpers.js';

const withPair = pairPerFile();

const script: Command[] = [
  ['GEOADD', 'Sicily', '13.361389', '38.115556', 'Palermo', '15.087269', '37.502669', 'Catania'],
  ['GEOADD', 'Sicily', 'NX', '13.361389', '38.115556', 'Palermo', '12.758489', '38.788135', 'edge1'],
  ['GEOADD', 'Sicily', 'XX', 'CH', '13.5', '38.1', 'Palermo', '1', '1', 'nothere'],
  ['GEOADD', 'Sicily', 'CH', '13.361389', '38.115556', 'Palermo', '17.241510', '38.788135', 'edge2'],
  ['GEOADD', 'Sicily', 'XX', 'NX', '1', '1', 'a'],
  ['GEOADD', 'Sicily', '1', '1'],
  ['GEOADD', 'Sicily', '200', '1', 'a'],
  ['GEOADD', 'Sicily', '1', '86', 'a'],
  ['GEOADD', 'Sicily', 'x', '1', 'a'],
  ['GEOADD', 'Sicily', '1', 'inf', 'a'],
  ['ZRANGE', 'Sicily', 0, -1, 'WITHSCORES'],
  ['GEODIST', 'Sicily', 'Palermo', 'Catania'],
  ['GEODIST', 'Sicily', 'Palermo', 'Catania', 'km'],
  ['GEODIST', 'Sicily', 'Palermo', 'Catania', 'MI'],
  ['GEODIST', 'Sicily', 'Palermo', 'Catania', 'ft'],
  ['GEODIST', 'Sicily', 'Palermo', 'Palermo'],
  ['GEODIST', 'Sicily', 'Palermo', 'Nowhere'],
  ['GEODIST', 'Sicily', 'Palermo', 'Catania', 'yards'],
  ['GEODIST', 'Sicily', 'Palermo', 'Catania', 'km', 'extra'],
  ['GEODIST', 'nokey', 'a', 'b'],
  ['GEOHASH', 'Sicily', 'Palermo', 'Catania', 'Nowhere'],
  ['GEOHASH', 'nokey', 'a'],
  ['GEOPOS', 'Sicily', 'Palermo', 'Catania', 'Nowhere'],
  ['GEOPOS', 'nokey', 'a'],
  ['GEORADIUS', 'Sicily', '15', '37', '200', 'km'],
  ['GEORADIUS', 'Sicily', '15', '37', '200', 'km', 'WITHDIST', 'WITHCOORD', 'WITHHASH'],
  ['GEORADIUS', 'Sicily', '15', '37', '200', 'km', 'WITHDIST', 'ASC'],
  ['GEORADIUS', 'Sicily', '15', '37', '200', 'km', 'WITHDIST', 'DESC', 'COUNT', 2],
  ['GEORADIUS', 'Sicily', '15', '37', '200', 'km', 'COUNT', 1, 'ANY'],
  ['GEORADIUS', 'Sicily', '15', '37', '200', 'km', 'ANY'],
  ['GEORADIUS', 'Sicily', '15', '37', '200', 'km', 'COUNT', 0],
  ['GEORADIUS', 'Sicily', '15', '37', '200', 'km', 'COUNT', 'x'],
  ['GEORADIUS', 'Sicily', '15', '37', '-1', 'km'],
  ['GEORADIUS', 'Sicily', '15', '37', 'far', 'km'],
  ['GEORADIUS', 'Sicily', '15', '37', '200', 'parsecs'],
  ['GEORADIUS', 'Sicily', '15', '37', '200', 'km', 'BOGUS'],
  ['GEORADIUS', 'Sicily', '15', '37', '200', 'km', 'STORE', 'dst'],
  ['ZRANGE', 'dst', 0, -1, 'WITHSCORES'],
  ['GEORADIUS', 'Sicily', '15', '37', '200', 'km', 'STOREDIST', 'dst'],
  ['ZRANGE', 'dst', 0, -1, 'WITHSCORES'],
  ['GEORADIUS', 'Sicily', '15', '37', '200', 'km', 'STORE', 'dst', 'WITHDIST'],
  ['GEORADIUS', 'Sicily', '15', '37', '1', 'm', 'STORE', 'dst'],
  ['EXISTS', 'dst'],
  ['GEORADIUS_RO', 'Sicily', '15', '37', '200', 'km', 'WITHDIST'],
  ['GEORADIUS_RO', 'Sicily', '15', '37', '200', 'km', 'STORE', 'dst'],
  ['GEORADIUSBYMEMBER', 'Sicily', 'Palermo', '200', 'km', 'WITHDIST', 'WITHCOORD'],
  ['GEORADIUSBYMEMBER', 'Sicily', 'Nowhere', '200', 'km'],
  ['GEORADIUSBYMEMBER', 'nokey', 'Nowhere', 'bad', 'km'],
  ['GEORADIUSBYMEMBER_RO', 'Sicily', 'Catania', '100', 'mi', 'DESC'],
  ['GEORADIUS', 'nokey', '15', '37', '200', 'km'],
  ['GEORADIUS', 'nokey', '15', '37', '200', 'km', 'STORE', 'Sicily2'],
  ['GEOSEARCH', 'Sicily', 'FROMLONLAT', '15', '37', 'BYRADIUS', '200', 'km', 'ASC'],
  ['GEOSEARCH', 'Sicily', 'FROMMEMBER', 'Palermo', 'BYBOX', '400', '400', 'km', 'ASC', 'WITHCOORD', 'WITHDIST'],
  ['GEOSEARCH', 'Sicily', 'FROMMEMBER', 'Nowhere', 'BYBOX', '400', '400', 'km'],
  ['GEOSEARCH', 'Sicily', 'FROMLONLAT', '15', '37', 'BYBOX', '400', '-1', 'km'],
  ['GEOSEARCH', 'Sicily', 'FROMLONLAT', '15', '37', 'BYBOX', 'w', '1', 'km'],
  ['GEOSEARCH', 'Sicily', 'FROMLONLAT', '15', '37', 'BYBOX', '1', 'h', 'km'],
  ['GEOSEARCH', 'Sicily', 'FROMLONLAT', '15', '37'],
  ['GEOSEARCH', 'Sicily', 'BYRADIUS', '10', 'km'],
  ['geosearch', 'Sicily', 'BYRADIUS', '10', 'km'],
  ['GEOSEARCH', 'Sicily', 'FROMLONLAT', '15', '37', 'FROMMEMBER', 'Palermo', 'BYRADIUS', '10', 'km'],
  ['GEOSEARCH', 'Sicily', 'FROMLONLAT', '15', '37', 'BYRADIUS', '10', 'km', 'BYBOX', '1', '1', 'km'],
  ['GEOSEARCH', 'Sicily', 'FROMLONLAT', '15', '37', 'BYRADIUS', '200', 'km', 'STORE', 'x'],
  ['GEOSEARCH', 'Sicily', 'FROMLONLAT', '15', '37', 'BYRADIUS', '200', 'km', 'STOREDIST'],
  ['GEOSEARCH', 'nokey', 'FROMMEMBER', 'x', 'BYRADIUS', '200', 'km'],
  ['GEOSEARCHSTORE', 'dst2', 'Sicily', 'FROMLONLAT', '15', '37', 'BYBOX', '400', '400', 'km', 'STOREDIST'],
  ['ZRANGE', 'dst2', 0, -1, 'WITHSCORES'],
  ['GEOSEARCHSTORE', 'dst2', 'Sicily', 'FROMLONLAT', '15', '37', 'BYRADIUS', '400', 'km', 'COUNT', 2],
  ['ZRANGE', 'dst2', 0, -1, 'WITHSCORES'],
  ['GEOSEARCHSTORE', 'dst2', 'Sicily', 'FROMLONLAT', '15', '37', 'BYRADIUS', '400', 'km', 'WITHDIST'],
  ['GEOSEARCHSTORE', 'dst2', 'nokey', 'FROMLONLAT', '15', '37', 'BYRADIUS', '400', 'km'],
  ['EXISTS', 'dst2'],
  ['SET', 'str', 'x'],
  ['GEOADD', 'str', '1', '1', 'a'],
  ['GEOPOS', 'str', 'a'],
  ['GEOHASH', 'str', 'a'],
  ['GEODIST', 'str', 'a', 'b'],
  ['GEORADIUS', 'str', '15', '37', '200', 'km'],
  ['GEOSEARCH', 'str', 'FROMLONLAT', '15', '37', 'BYRADIUS', '200', 'km'],
  ['GEOADD', 'poles', '-180', '85.05112878', 'nw', '180', '-85.05112878', 'se', '0', '0', 'origin'],
  ['GEOPOS', 'poles', 'nw', 'se', 'origin'],
  ['GEOHASH', 'poles', 'nw', 'se', 'origin'],
  ['GEOSEARCH', 'poles', 'FROMLONLAT', '0', '0', 'BYRADIUS', '20000', 'km', 'WITHDIST', 'ASC'],
];

test('geo commands match redis-server in RESP2 and RESP3', withPair(async (pair) => {
  await sameInBothProtocols(pair, script);
}));

test('random GEOADD/GEOSEARCH/GEORADIUS queries match redis-server', withPair(async (pair) => {
  const rand = seededRandom(4242);
  const lon = () => (rand() * 360 - 180).toFixed(6);
  const lat = () => (rand() * 170 - 85).toFixed(6);
  // Clustered points around a few centres, plus scattered ones.
  const centres = [[2.35, 48.85], [-73.98, 40.75], [139.69, 35.68], [-0.1, 51.5], [170, -80]];
  for (let i = 0; i < 600; i++) {
    let x: string;
    let y: string;
    if (rand() < 0.8) {
      const c = centres[randInt(rand, 0, centres.length - 1)];
      x = Math.max(-180, Math.min(180, c[0] + (rand() - 0.5) * 4)).toFixed(6);
      y = Math.max(-85, Math.min(85, c[1] + (rand() - 0.5) * 4)).toFixed(6);
    } else {
      x = lon();
      y = lat();
    }
    await pair.same('GEOADD', 'pts', x, y, `m${i}`);
  }
  await pair.same('ZRANGE', 'pts', 0, -1, 'WITHSCORES');
  for (let q = 0; q < 250; q++) {
    const c = centres[randInt(rand, 0, centres.length - 1)];
    const x = (c[0] + (rand() - 0.5) * 3).toFixed(4);
    const y = Math.max(-85, Math.min(85, c[1] + (rand() - 0.5) * 3)).toFixed(4);
    const unit = ['m', 'km', 'mi', 'ft'][randInt(rand, 0, 3)];
    const scale = unit === 'm' ? 1000 : unit === 'ft' ? 3000 : 1;
    const r = String(randInt(rand, 1, 300) * scale);
    const kind = rand();
    if (kind < 0.35) await pair.same('GEOSEARCH', 'pts', 'FROMLONLAT', x, y, 'BYRADIUS', r, unit, 'WITHDIST', 'WITHCOORD', 'WITHHASH', 'ASC');
    else if (kind < 0.6) await pair.same('GEOSEARCH', 'pts', 'FROMLONLAT', x, y, 'BYBOX', r, String(randInt(rand, 1, 300) * scale), unit, 'WITHDIST', 'DESC');
    else if (kind < 0.75) await pair.same('GEORADIUS', 'pts', x, y, r, unit, 'WITHDIST', 'COUNT', randInt(rand, 1, 10));
    else if (kind < 0.85) await pair.same('GEORADIUSBYMEMBER', 'pts', `m${randInt(rand, 0, 599)}`, r, unit, 'WITHDIST', 'ASC');
    else if (kind < 0.92) await pair.same('GEOSEARCH', 'pts', 'FROMLONLAT', x, y, 'BYRADIUS', r, unit);
    else {
      // Stored distances are full doubles: V8's sin/cos/asin may differ from glibc's in
      // the last bit, so compare the order and the 4-decimal rendering (WITHDIST's).
      await pair.same('GEOSEARCHSTORE', 'out', 'pts', 'FROMLONLAT', x, y, 'BYRADIUS', r, unit, 'STOREDIST');
      await pair.same('ZRANGE', 'out', 0, -1);
      await pair.same('GEOSEARCHSTORE', 'out', 'pts', 'FROMLONLAT', x, y, 'BYRADIUS', r, unit);
      await pair.same('ZRANGE', 'out', 0, -1, 'WITHSCORES');
    }
  }
  for (let i = 0; i < 600; i += 7) {
    await pair.same('GEOPOS', 'pts', `m${i}`, `m${i + 1}`);
    await pair.same('GEOHASH', 'pts', `m${i}`, `m${i + 1}`);
    await pair.same('GEODIST', 'pts', `m${i}`, `m${i + 3}`, 'km');
  }
}));
