/**
 * Geohash arithmetic as Redis's geohash.c / geohash_helper.c compute it, so scores,
 * decoded coordinates, search areas and distances agree with redis-server to the bit.
 *
 * A position is stored as a sorted-set score: a 52-bit interleaved geohash (26 steps),
 * latitude bits at even positions and longitude bits at odd positions.
 */

export const GEO_STEP_MAX = 26;
export const GEO_LAT_MIN = -85.05112878;
export const GEO_LAT_MAX = 85.05112878;
export const GEO_LONG_MIN = -180;
export const GEO_LONG_MAX = 180;

const D_R = Math.PI / 180.0;
const EARTH_RADIUS_IN_METERS = 6372797.560856;
const MERCATOR_MAX = 20037726.37;

export interface HashBits {
  bits: bigint;
  step: number;
}

export interface Range {
  min: number;
  max: number;
}

export interface Area {
  hash: HashBits;
  longitude: Range;
  latitude: Range;
}

const WGS84_LONG: Range = { min: GEO_LONG_MIN, max: GEO_LONG_MAX };
const WGS84_LAT: Range = { min: GEO_LAT_MIN, max: GEO_LAT_MAX };

/** interleave64: bits of `even` at even positions, bits of `odd` at odd positions. */
function interleave(even: number, odd: number): bigint {
  let out = 0n;
  const e = BigInt(even >>> 0);
  const o = BigInt(odd >>> 0);
  for (let i = 0n; i < 32n; i++) {
    out |= ((e >> i) & 1n) << (2n * i);
    out |= ((o >> i) & 1n) << (2n * i + 1n);
  }
  return out;
}

/** deinterleave64: [even bits, odd bits]. */
function deinterleave(bits: bigint): [number, number] {
  let even = 0;
  let odd = 0;
  for (let i = 0; i < 32; i++) {
    even += Number((bits >> BigInt(2 * i)) & 1n) * 2 ** i;
    odd += Number((bits >> BigInt(2 * i + 1)) & 1n) * 2 ** i;
  }
  return [even, odd];
}

/** geohashEncode: null outside the ranges. */
export function encode(longitude: number, latitude: number, step: number, longRange: Range = WGS84_LONG, latRange: Range = WGS84_LAT): HashBits | null {
  if (longitude > GEO_LONG_MAX || longitude < GEO_LONG_MIN || latitude > GEO_LAT_MAX || latitude < GEO_LAT_MIN) return null;
  if (latitude < latRange.min || latitude > latRange.max || longitude < longRange.min || longitude > longRange.max) return null;
  let latOffset = (latitude - latRange.min) / (latRange.max - latRange.min);
  let longOffset = (longitude - longRange.min) / (longRange.max - longRange.min);
  latOffset *= 2 ** step;
  longOffset *= 2 ** step;
  // C converts the offsets to uint32_t by truncation.
  return { bits: interleave(Math.trunc(latOffset), Math.trunc(longOffset)), step };
}

/** geohashDecode: the cell a hash denotes. */
export function decodeArea(hash: HashBits, longRange: Range = WGS84_LONG, latRange: Range = WGS84_LAT): Area {
  const [ilato, ilono] = deinterleave(hash.bits);
  const latScale = latRange.max - latRange.min;
  const longScale = longRange.max - longRange.min;
  const cells = 2 ** hash.step;
  return {
    hash,
    latitude: { min: latRange.min + ((ilato * 1.0) / cells) * latScale, max: latRange.min + (((ilato + 1) * 1.0) / cells) * latScale },
    longitude: { min: longRange.min + ((ilono * 1.0) / cells) * longScale, max: longRange.min + (((ilono + 1) * 1.0) / cells) * longScale },
  };
}

/** decodeGeohash: the [longitude, latitude] at the centre of a score's cell. */
export function decodeScore(score: number): [number, number] {
  const bits = BigInt.asUintN(64, BigInt(Math.trunc(score)));
  return areaCenter(decodeArea({ bits, step: GEO_STEP_MAX }));
}

function areaCenter(area: Area): [number, number] {
  let x = (area.longitude.min + area.longitude.max) / 2;
  if (x > GEO_LONG_MAX) x = GEO_LONG_MAX;
  if (x < GEO_LONG_MIN) x = GEO_LONG_MIN;
  let y = (area.latitude.min + area.latitude.max) / 2;
  if (y > GEO_LAT_MAX) y = GEO_LAT_MAX;
  if (y < GEO_LAT_MIN) y = GEO_LAT_MIN;
  return [x, y];
}

/** geohashAlign52Bits: the score of a hash. */
export function align52(hash: HashBits): bigint {
  return BigInt.asUintN(64, hash.bits << BigInt(52 - hash.step * 2));
}

const ODD_MASK = 0xaaaaaaaaaaaaaaaan;
const EVEN_MASK = 0x5555555555555555n;

/** geohash_move_x (longitude) / geohash_move_y (latitude) by one cell. */
function move(hash: HashBits, d: number, alongLongitude: boolean): HashBits {
  if (d === 0) return hash;
  const shift = BigInt(64 - hash.step * 2);
  const moveMask = alongLongitude ? ODD_MASK : EVEN_MASK;
  const keepMask = alongLongitude ? EVEN_MASK : ODD_MASK;
  let m = hash.bits & moveMask;
  const keep = hash.bits & keepMask;
  const zz = keepMask >> shift;
  if (d > 0) m = BigInt.asUintN(64, m + (zz + 1n));
  else m = BigInt.asUintN(64, (m | zz) - (zz + 1n));
  m &= moveMask >> shift;
  return { bits: m | keep, step: hash.step };
}

export interface Neighbors {
  north: HashBits;
  south: HashBits;
  east: HashBits;
  west: HashBits;
  northEast: HashBits;
  northWest: HashBits;
  southEast: HashBits;
  southWest: HashBits;
}

function neighborsOf(hash: HashBits): Neighbors {
  return {
    east: move(hash, 1, true),
    west: move(hash, -1, true),
    south: move(hash, -1, false),
    north: move(hash, 1, false),
    northWest: move(move(hash, -1, true), 1, false),
    northEast: move(move(hash, 1, true), 1, false),
    southEast: move(move(hash, 1, true), -1, false),
    southWest: move(move(hash, -1, true), -1, false),
  };
}

const ZERO_HASH: HashBits = { bits: 0n, step: 0 };

export function isZeroHash(h: HashBits): boolean {
  return h.bits === 0n && h.step === 0;
}

/** A search shape: a circle (radius) or an axis-aligned box (width x height), in `unit`s. */
export interface GeoShape {
  circle: boolean;
  /** Centre [longitude, latitude]. */
  xy: [number, number];
  /** Metres per unit. */
  conversion: number;
  radius: number;
  width: number;
  height: number;
}

function degRad(ang: number): number {
  return ang * D_R;
}

function radDeg(ang: number): number {
  return ang / D_R;
}

/** geohashEstimateStepsByRadius. */
function estimateSteps(rangeMeters: number, lat: number): number {
  if (rangeMeters === 0) return 26;
  let step = 1;
  while (rangeMeters < MERCATOR_MAX) {
    rangeMeters *= 2;
    step++;
  }
  step -= 2;
  if (lat > 66 || lat < -66) {
    step--;
    if (lat > 80 || lat < -80) step--;
  }
  if (step < 1) step = 1;
  if (step > 26) step = 26;
  return step;
}

/** geohashBoundingBox: [minLon, minLat, maxLon, maxLat]. */
function boundingBox(shape: GeoShape): [number, number, number, number] {
  const [longitude, latitude] = shape.xy;
  const height = shape.conversion * (shape.circle ? shape.radius : shape.height / 2);
  const width = shape.conversion * (shape.circle ? shape.radius : shape.width / 2);
  const latDelta = radDeg(height / EARTH_RADIUS_IN_METERS);
  const longDeltaTop = radDeg(width / EARTH_RADIUS_IN_METERS / Math.cos(degRad(latitude + latDelta)));
  const longDeltaBottom = radDeg(width / EARTH_RADIUS_IN_METERS / Math.cos(degRad(latitude - latDelta)));
  const southern = latitude < 0;
  return [
    southern ? longitude - longDeltaBottom : longitude - longDeltaTop,
    latitude - latDelta,
    southern ? longitude + longDeltaBottom : longitude + longDeltaTop,
    latitude + latDelta,
  ];
}

/**
 * geohashCalculateAreasByShapeWGS84: the cells to scan, in Redis's order (centre, N, S,
 * E, W, NE, NW, SE, SW); zero hashes mark cells that cannot contain matches.
 */
export function searchCells(shape: GeoShape): HashBits[] {
  const [minLon, minLat, maxLon, maxLat] = boundingBox(shape);
  const [longitude, latitude] = shape.xy;
  let radiusMeters = shape.circle ? shape.radius : Math.sqrt((shape.width / 2) * (shape.width / 2) + (shape.height / 2) * (shape.height / 2));
  radiusMeters *= shape.conversion;
  let steps = estimateSteps(radiusMeters, latitude);
  let hash = encode(longitude, latitude, steps) ?? { bits: 0n, step: steps };
  let n = neighborsOf(hash);
  let area = decodeArea(hash);
  const north = decodeArea(n.north);
  const south = decodeArea(n.south);
  const east = decodeArea(n.east);
  const west = decodeArea(n.west);
  const decrease = north.latitude.max < maxLat || south.latitude.min > minLat || east.longitude.max < maxLon || west.longitude.min > minLon;
  if (steps > 1 && decrease) {
    steps--;
    hash = encode(longitude, latitude, steps) ?? { bits: 0n, step: steps };
    n = neighborsOf(hash);
    area = decodeArea(hash);
  }
  if (steps >= 2) {
    if (area.latitude.min < minLat) n.south = n.southWest = n.southEast = ZERO_HASH;
    if (area.latitude.max > maxLat) n.north = n.northEast = n.northWest = ZERO_HASH;
    if (area.longitude.min < minLon) n.west = n.southWest = n.northWest = ZERO_HASH;
    if (area.longitude.max > maxLon) n.east = n.southEast = n.northEast = ZERO_HASH;
  }
  return [hash, n.north, n.south, n.east, n.west, n.northEast, n.northWest, n.southEast, n.southWest];
}

/** scoresOfGeoHashBox: the score interval [min, max) of a cell. */
export function cellScoreRange(hash: HashBits): [number, number] {
  const min = align52(hash);
  const max = align52({ bits: hash.bits + 1n, step: hash.step });
  return [Number(min), Number(max)];
}

function latDistance(lat1d: number, lat2d: number): number {
  return EARTH_RADIUS_IN_METERS * Math.abs(degRad(lat2d) - degRad(lat1d));
}

/** geohashGetDistance: haversine distance in metres. */
export function distance(lon1d: number, lat1d: number, lon2d: number, lat2d: number): number {
  const lon1r = degRad(lon1d);
  const lon2r = degRad(lon2d);
  const v = Math.sin((lon2r - lon1r) / 2);
  if (v === 0.0) return latDistance(lat1d, lat2d);
  const lat1r = degRad(lat1d);
  const lat2r = degRad(lat2d);
  const u = Math.sin((lat2r - lat1r) / 2);
  const a = u * u + Math.cos(lat1r) * Math.cos(lat2r) * v * v;
  return 2.0 * EARTH_RADIUS_IN_METERS * Math.asin(Math.sqrt(a));
}

/** geoWithinShape for a decoded point: its distance from the centre in metres, or null. */
export function distanceWithinShape(shape: GeoShape, x: number, y: number): number | null {
  const [cx, cy] = shape.xy;
  if (shape.circle) {
    const d = distance(cx, cy, x, y);
    return d > shape.radius * shape.conversion ? null : d;
  }
  const widthM = shape.width * shape.conversion;
  const heightM = shape.height * shape.conversion;
  if (latDistance(y, cy) > heightM / 2) return null;
  if (distance(x, y, cx, y) > widthM / 2) return null;
  return distance(cx, cy, x, y);
}

const GEO_ALPHABET = '0123456789bcdefghjkmnpqrstuvwxyz';

/** GEOHASH's 11-character string for a score (standard -90..90 latitude range). */
export function geohashString(score: number): string {
  const xy = decodeScore(score);
  const hash = encode(xy[0], xy[1], 26, { min: -180, max: 180 }, { min: -90, max: 90 });
  const bits = hash ? hash.bits : 0n;
  let out = '';
  for (let i = 0; i < 10; i++) out += GEO_ALPHABET[Number((bits >> BigInt(52 - (i + 1) * 5)) & 0x1fn)];
  return out + '0';
}
