/**
 * What a key holds. A string value is a plain binary string (one char per byte); every
 * other type is an object implementing CollectionValue.
 */
export type RedisType = 'string' | 'list' | 'set' | 'zset' | 'hash' | 'stream';

export interface CollectionValue {
  readonly type: Exclude<RedisType, 'string'>;
  /** OBJECT ENCODING's answer, following Redis's thresholds (configs read from `limits`). */
  encoding(limits: EncodingLimits): string;
  /** A rough count of bytes held, for INFO used_memory and maxmemory. */
  memoryUsage(): number;
  /** A deep copy, for COPY. */
  clone(): CollectionValue;
  /** True when the collection has no elements (Redis deletes empty collections). */
  isEmpty(): boolean;
}

export type RedisValue = string | CollectionValue;

/** The `*-max-listpack-*` style configs that decide OBJECT ENCODING. */
export interface EncodingLimits {
  hashMaxListpackEntries: number;
  hashMaxListpackValue: number;
  setMaxIntsetEntries: number;
  zsetMaxListpackEntries: number;
  zsetMaxListpackValue: number;
  listMaxListpackSize: number;
}

export function typeOf(value: RedisValue): RedisType {
  return typeof value === 'string' ? 'string' : value.type;
}
