/**
 * Geo commands (Redis 7.0 geo.c behaviour and error texts): GEOADD, GEODIST, GEOHASH,
 * GEOPOS, GEORADIUS[_RO], GEORADIUSBYMEMBER[_RO], GEOSEARCH, GEOSEARCHSTORE.
 * A geo set is a sorted set whose scores are 52-bit geohashes (keyspace/geohash.ts).
 */
import {
  GEO_LAT_MAX,
  GEO_LAT_MIN,
  GEO_LONG_MAX,
  GEO_LONG_MIN,
  GEO_STEP_MAX,
  align52,
  cellScoreRange,
  decodeScore,
  distance,
  distanceWithinShape,
  encode,
  geohashString,
  isZeroHash,
  searchCells,
  type GeoShape,
} from '../keyspace/geohash.js';
import { RedisZSet } from '../keyspace/types/zset.js';
import { DoubleReply, ErrorReply, Errors, NULL_ARRAY, type Reply } from '../protocol/reply.js';
import type { Client } from '../server/client.js';
import { is, parseDouble, parseInt64 } from './args.js';
import type { Handler } from './registry.js';
import { lookupTyped } from './type-helpers.js';
import { zsetCommands } from './zset.js';
import { NotifyClass, notify } from '../server/notifications.js';

const UNIT_ERROR = new ErrorReply('ERR unsupported unit provided. please use M, KM, FT, MI');
const MEMBER_ERROR = new ErrorReply('ERR could not decode requested zset member');

function readGeoSet(client: Client, key: string): RedisZSet | undefined | ErrorReply {
  return lookupTyped<RedisZSet>(client.db, key, 'zset', true);
}

/** "%f" as C prints it. */
function cFixed6(n: number): string {
  if (n === Infinity) return 'inf';
  if (n === -Infinity) return '-inf';
  return n.toFixed(6);
}

/** extractLongLatOrReply. */
function parseLongLat(lonArg: string, latArg: string): [number, number] | ErrorReply {
  const lon = parseDouble(lonArg);
  if (lon === null) return Errors.notFloat;
  const lat = parseDouble(latArg);
  if (lat === null) return Errors.notFloat;
  if (lon < GEO_LONG_MIN || lon > GEO_LONG_MAX || lat < GEO_LAT_MIN || lat > GEO_LAT_MAX) {
    return new ErrorReply(`ERR invalid longitude,latitude pair ${cFixed6(lon)},${cFixed6(lat)}`);
  }
  return [lon, lat];
}

/** extractUnitOrReply: metres per unit. */
function parseUnit(arg: string): number | ErrorReply {
  if (is(arg, 'm')) return 1;
  if (is(arg, 'km')) return 1000;
  if (is(arg, 'ft')) return 0.3048;
  if (is(arg, 'mi')) return 1609.34;
  return UNIT_ERROR;
}

/** addReplyDoubleDistance: fixedpoint_d2string with 4 decimals (llrint, ties to even). */
function formatDistance(d: number): string {
  if (d === 0) return '0.0000';
  const scaled = d * 10000;
  let v = Math.round(scaled);
  if (v - scaled === 0.5 && v % 2 !== 0) v -= 1;
  const neg = v < 0;
  const digits = String(Math.abs(v)).padStart(5, '0');
  return (neg ? '-' : '') + digits.slice(0, -4) + '.' + digits.slice(-4);
}

/** addReplyHumanLongDouble: "%.17Lf" of the double, trailing zeros removed. */
function coordinateReply(client: Client, n: number): Reply {
  let s = n.toFixed(17);
  if (s.includes('.')) s = s.replace(/\.?0+$/, '');
  if (s === '-0') s = '0';
  return client.protocol === 3 ? new DoubleReply(n, s) : s;
}

const geoadd: Handler = (client, args) => {
  let xx = false;
  let nx = false;
  let longIdx = 2;
  for (; longIdx < args.length; longIdx++) {
    const opt = args[longIdx];
    if (is(opt, 'nx')) nx = true;
    else if (is(opt, 'xx')) xx = true;
    else if (!is(opt, 'ch')) break;
  }
  if ((args.length - longIdx) % 3 !== 0 || (xx && nx)) return Errors.syntax;
  // Rewritten as ZADD key [options] score member ..., as Redis does.
  const zaddArgs = ['zadd', ...args.slice(1, longIdx)];
  for (let i = longIdx; i < args.length; i += 3) {
    const xy = parseLongLat(args[i], args[i + 1]);
    if (xy instanceof ErrorReply) return xy;
    const hash = encode(xy[0], xy[1], GEO_STEP_MAX)!;
    zaddArgs.push(String(align52(hash)), args[i + 2]);
  }
  return zsetCommands.zadd(client, zaddArgs);
};

const geodist: Handler = (client, args) => {
  let toMeter = 1;
  if (args.length === 5) {
    const unit = parseUnit(args[4]);
    if (unit instanceof ErrorReply) return unit;
    toMeter = unit;
  } else if (args.length > 5) return Errors.syntax;
  const z = readGeoSet(client, args[1]);
  if (z === undefined || z instanceof ErrorReply) return z ?? null;
  const s1 = z.score(args[2]);
  const s2 = z.score(args[3]);
  if (s1 === undefined || s2 === undefined) return null;
  const a = decodeScore(s1);
  const b = decodeScore(s2);
  return formatDistance(distance(a[0], a[1], b[0], b[1]) / toMeter);
};

const geohash: Handler = (client, args) => {
  const z = readGeoSet(client, args[1]);
  if (z instanceof ErrorReply) return z;
  const out: Reply[] = [];
  for (let j = 2; j < args.length; j++) {
    const score = z?.score(args[j]);
    out.push(score === undefined ? null : geohashString(score));
  }
  return out;
};

const geopos: Handler = (client, args) => {
  const z = readGeoSet(client, args[1]);
  if (z instanceof ErrorReply) return z;
  const out: Reply[] = [];
  for (let j = 2; j < args.length; j++) {
    const score = z?.score(args[j]);
    if (score === undefined) {
      out.push(NULL_ARRAY);
      continue;
    }
    const [x, y] = decodeScore(score);
    out.push([coordinateReply(client, x), coordinateReply(client, y)]);
  }
  return out;
};

// ---------------------------------------------------------------------------------
// GEORADIUS and GEOSEARCH

const enum Flag {
  COORDS = 1,
  MEMBER = 2,
  NOSTORE = 4,
  SEARCH = 8,
  SEARCHSTORE = 16,
}

interface GeoPoint {
  member: string;
  score: number;
  dist: number;
  x: number;
  y: number;
}

/** geoGetPointsInRange over one cell's score interval [min, max). */
function pointsInCell(z: RedisZSet, min: number, max: number, shape: GeoShape, out: GeoPoint[], limit: number): void {
  let node = z.zsl.firstInRange({ min, max, minEx: false, maxEx: true });
  while (node !== null && node.score < max) {
    const [x, y] = decodeScore(node.score);
    const d = distanceWithinShape(shape, x, y);
    if (d !== null) out.push({ member: node.member, score: node.score, dist: d, x, y });
    if (out.length && limit && out.length >= limit) break;
    node = node.next[0];
  }
}

/** membersOfAllNeighbors: the matches of the 9 cells, skipping a cell equal to the last scanned. */
function searchShape(z: RedisZSet, shape: GeoShape, limit: number): GeoPoint[] {
  const cells = searchCells(shape);
  const out: GeoPoint[] = [];
  let lastProcessed = 0;
  for (let i = 0; i < cells.length; i++) {
    const cell = cells[i];
    if (isZeroHash(cell)) continue;
    if (lastProcessed && cell.bits === cells[lastProcessed].bits && cell.step === cells[lastProcessed].step) continue;
    if (out.length && limit && out.length >= limit) break;
    const [min, max] = cellScoreRange(cell);
    pointsInCell(z, min, max, shape, out, limit);
    lastProcessed = i;
  }
  return out;
}

function georadiusGeneric(client: Client, args: string[], srcKeyIndex: number, flags: number): Reply {
  const db = client.db;
  const z = readGeoSet(client, args[srcKeyIndex]);
  if (z instanceof ErrorReply) return z;
  const shape: GeoShape = { circle: true, xy: [0, 0], conversion: 1, radius: 0, width: 0, height: 0 };
  let baseArgs: number;
  let storeKey: string | null = null;
  let storeDist = false;
  if (flags & Flag.COORDS) {
    baseArgs = 6;
    const xy = parseLongLat(args[2], args[3]);
    if (xy instanceof ErrorReply) return xy;
    shape.xy = xy;
    const dist = parseRadius(args[4], args[5], shape);
    if (dist) return dist;
  } else if (flags & Flag.MEMBER) {
    baseArgs = 5;
    if (z !== undefined) {
      const score = z.score(args[2]);
      if (score === undefined) return MEMBER_ERROR;
      shape.xy = decodeScore(score);
      const dist = parseRadius(args[3], args[4], shape);
      if (dist) return dist;
    }
  } else {
    baseArgs = 2;
    if (flags & Flag.SEARCHSTORE) {
      baseArgs = 3;
      storeKey = args[1];
    }
  }

  let withDist = false;
  let withHash = false;
  let withCoords = false;
  let fromMember = false;
  let fromLoc = false;
  let byRadius = false;
  let byBox = false;
  let sort: 'none' | 'asc' | 'desc' = 'none';
  let any = false;
  let count = 0;
  const search = (flags & Flag.SEARCH) !== 0;
  const remaining = args.length - baseArgs;
  for (let i = 0; i < remaining; i++) {
    const arg = args[baseArgs + i];
    const left = remaining - i - 1;
    if (is(arg, 'withdist')) withDist = true;
    else if (is(arg, 'withhash')) withHash = true;
    else if (is(arg, 'withcoord')) withCoords = true;
    else if (is(arg, 'any')) any = true;
    else if (is(arg, 'asc')) sort = 'asc';
    else if (is(arg, 'desc')) sort = 'desc';
    else if (is(arg, 'count') && left >= 1) {
      const v = parseInt64(args[baseArgs + i + 1]);
      if (v === null) return Errors.notInteger;
      if (v <= 0) return new ErrorReply('ERR COUNT must be > 0');
      count = typeof v === 'bigint' ? Number.MAX_SAFE_INTEGER : v;
      i++;
    } else if ((is(arg, 'store') || is(arg, 'storedist')) && left >= 1 && !(flags & Flag.NOSTORE) && !search) {
      storeKey = args[baseArgs + i + 1];
      storeDist = is(arg, 'storedist');
      i++;
    } else if (is(arg, 'storedist') && search && flags & Flag.SEARCHSTORE) {
      storeDist = true;
    } else if (is(arg, 'frommember') && left >= 1 && search && !fromLoc) {
      if (z !== undefined) {
        const score = z.score(args[baseArgs + i + 1]);
        if (score === undefined) return MEMBER_ERROR;
        shape.xy = decodeScore(score);
      }
      fromMember = true;
      i++;
    } else if (is(arg, 'fromlonlat') && left >= 2 && search && !fromMember) {
      const xy = parseLongLat(args[baseArgs + i + 1], args[baseArgs + i + 2]);
      if (xy instanceof ErrorReply) return xy;
      shape.xy = xy;
      fromLoc = true;
      i += 2;
    } else if (is(arg, 'byradius') && left >= 2 && search && !byBox) {
      const e = parseRadius(args[baseArgs + i + 1], args[baseArgs + i + 2], shape);
      if (e) return e;
      shape.circle = true;
      byRadius = true;
      i += 2;
    } else if (is(arg, 'bybox') && left >= 3 && search && !byRadius) {
      const e = parseBox(args[baseArgs + i + 1], args[baseArgs + i + 2], args[baseArgs + i + 3], shape);
      if (e) return e;
      shape.circle = false;
      byBox = true;
      i += 3;
    } else return Errors.syntax;
  }

  if (storeKey !== null && (withDist || withHash || withCoords)) {
    const what = flags & Flag.SEARCHSTORE ? 'GEOSEARCHSTORE' : 'STORE option in GEORADIUS';
    return new ErrorReply(`ERR ${what} is not compatible with WITHDIST, WITHHASH and WITHCOORD options`);
  }
  if (search && !(fromMember || fromLoc)) return new ErrorReply(`ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for ${args[0]}`);
  if (search && !(byRadius || byBox)) return new ErrorReply(`ERR exactly one of BYRADIUS and BYBOX can be specified for ${args[0]}`);
  if (any && !count) return new ErrorReply('ERR the ANY argument requires COUNT argument');

  if (z === undefined) {
    if (storeKey !== null) {
      if (db.delete(storeKey)) notify(client.server, db.id, NotifyClass.GENERIC, 'del', storeKey);
      return 0;
    }
    return [];
  }
  if (count !== 0 && sort === 'none' && !any) sort = 'asc';
  const points = searchShape(z, shape, any ? count : 0);
  if (points.length === 0 && storeKey === null) return [];
  const returned = count === 0 || points.length < count ? points.length : count;
  // A stable sort, like glibc's qsort (a merge sort): equal distances keep scan order.
  if (sort === 'asc') points.sort((a, b) => (a.dist > b.dist ? 1 : a.dist === b.dist ? 0 : -1));
  else if (sort === 'desc') points.sort((a, b) => (a.dist > b.dist ? -1 : a.dist === b.dist ? 0 : 1));

  if (storeKey === null) {
    const out: Reply[] = new Array(returned);
    const options = (withDist ? 1 : 0) + (withHash ? 1 : 0) + (withCoords ? 1 : 0);
    for (let i = 0; i < returned; i++) {
      const p = points[i];
      if (!options) {
        out[i] = p.member;
        continue;
      }
      const item: Reply[] = [p.member];
      if (withDist) item.push(formatDistance(p.dist / shape.conversion));
      if (withHash) item.push(p.score);
      if (withCoords) item.push([coordinateReply(client, p.x), coordinateReply(client, p.y)]);
      out[i] = item;
    }
    return out;
  }
  if (returned === 0) {
    if (db.delete(storeKey)) notify(client.server, db.id, NotifyClass.GENERIC, 'del', storeKey);
    return 0;
  }
  const result = new RedisZSet();
  const limits = client.server.encodingLimits;
  for (let i = 0; i < returned; i++) {
    const p = points[i];
    result.set(limits, p.member, storeDist ? p.dist / shape.conversion : p.score);
  }
  result.fitEncoding(limits);
  db.set(storeKey, result);
  notify(client.server, db.id, NotifyClass.ZSET, search ? 'geosearchstore' : 'georadiusstore', storeKey);
  return returned;
}

/** extractDistanceOrReply: radius and unit into `shape`; an error or null. */
function parseRadius(radiusArg: string, unitArg: string, shape: GeoShape): ErrorReply | null {
  const radius = parseDouble(radiusArg);
  if (radius === null) return new ErrorReply('ERR need numeric radius');
  if (radius < 0) return new ErrorReply('ERR radius cannot be negative');
  const unit = parseUnit(unitArg);
  if (unit instanceof ErrorReply) return unit;
  shape.radius = radius;
  shape.conversion = unit;
  return null;
}

/** extractBoxOrReply. */
function parseBox(widthArg: string, heightArg: string, unitArg: string, shape: GeoShape): ErrorReply | null {
  const width = parseDouble(widthArg);
  if (width === null) return new ErrorReply('ERR need numeric width');
  const height = parseDouble(heightArg);
  if (height === null) return new ErrorReply('ERR need numeric height');
  if (height < 0 || width < 0) return new ErrorReply('ERR height or width cannot be negative');
  const unit = parseUnit(unitArg);
  if (unit instanceof ErrorReply) return unit;
  shape.width = width;
  shape.height = height;
  shape.conversion = unit;
  return null;
}

export const geoCommands: Record<string, Handler> = {
  geoadd,
  geodist,
  geohash,
  geopos,
  georadius: (client, args) => georadiusGeneric(client, args, 1, Flag.COORDS),
  georadiusbymember: (client, args) => georadiusGeneric(client, args, 1, Flag.MEMBER),
  georadius_ro: (client, args) => georadiusGeneric(client, args, 1, Flag.COORDS | Flag.NOSTORE),
  georadiusbymember_ro: (client, args) => georadiusGeneric(client, args, 1, Flag.MEMBER | Flag.NOSTORE),
  geosearch: (client, args) => georadiusGeneric(client, args, 1, Flag.SEARCH),
  geosearchstore: (client, args) => georadiusGeneric(client, args, 2, Flag.SEARCH | Flag.SEARCHSTORE),
};
