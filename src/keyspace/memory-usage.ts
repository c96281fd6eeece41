/**
 * What Redis would allocate for a key and its value: the key's sds, its dict entry, the
 * object header and the value's own estimate (CollectionValue.memoryUsage). MEMORY USAGE
 * replies with it and eviction (server/eviction.ts) measures the dataset with it.
 */
import type { RedisValue } from './value.js';

/** sizeof(dictEntry) and sizeof(robj) on a 64-bit build. */
export const DICT_ENTRY_BYTES = 24;
const OBJECT_HEADER_BYTES = 16;
/** Strings up to this length are embedded in the object header (OBJ_ENCODING_EMBSTR_SIZE_LIMIT). */
const EMBSTR_LIMIT = 44;

/** jemalloc-like rounding: small sizes go up to a multiple of 8 (16 past 128), larger to 4 KiB pages' quarters. */
function allocationSize(bytes: number): number {
  if (bytes <= 128) return (bytes + 7) & ~7;
  if (bytes <= 4096) return (bytes + 15) & ~15;
  return Math.ceil(bytes / 1024) * 1024;
}

/** An sds string's allocation: header (1..9 bytes by length), content, terminator. */
function sdsSize(length: number): number {
  const header = length < 32 ? 1 : length < 256 ? 3 : length < 65536 ? 5 : 9;
  return allocationSize(header + length + 1);
}

function stringValueSize(value: string): number {
  // Integer-like strings are stored in the object header itself (OBJ_ENCODING_INT).
  if (value.length <= 20 && /^-?[1-9][0-9]*$|^0$/.test(value)) return OBJECT_HEADER_BYTES;
  if (value.length <= EMBSTR_LIMIT) return allocationSize(OBJECT_HEADER_BYTES + 3 + value.length + 1);
  return OBJECT_HEADER_BYTES + sdsSize(value.length);
}

/** The estimate MEMORY USAGE replies with for `key` holding `value`. */
export function keyMemoryUsage(key: string, value: RedisValue): number {
  const valueBytes = typeof value === 'string' ? stringValueSize(value) : OBJECT_HEADER_BYTES + allocationSize(value.memoryUsage());
  return valueBytes + sdsSize(key.length) + DICT_ENTRY_BYTES;
}
