/**
 * The shape of one command's declarative spec. The table itself (table/generated.ts) is
 * produced by scripts/gen-command-table.mjs from Redis 7.0's command JSON files.
 * Names follow the JSON files; strings are kept as Redis reports them.
 */

/** Command flag bits, for cheap checks on the dispatch path. */
export const enum CmdFlag {
  WRITE = 1 << 0,
  READONLY = 1 << 1,
  DENYOOM = 1 << 2,
  MODULE = 1 << 3,
  ADMIN = 1 << 4,
  PUBSUB = 1 << 5,
  NOSCRIPT = 1 << 6,
  BLOCKING = 1 << 7,
  LOADING = 1 << 8,
  STALE = 1 << 9,
  SKIP_MONITOR = 1 << 10,
  SKIP_SLOWLOG = 1 << 11,
  ASKING = 1 << 12,
  FAST = 1 << 13,
  NO_AUTH = 1 << 14,
  MAY_REPLICATE = 1 << 15,
  SENTINEL = 1 << 16,
  ONLY_SENTINEL = 1 << 17,
  NO_MANDATORY_KEYS = 1 << 18,
  PROTECTED = 1 << 19,
  NO_ASYNC_LOADING = 1 << 20,
  NO_MULTI = 1 << 21,
  MOVABLE_KEYS = 1 << 22,
  ALLOW_BUSY = 1 << 23,
  /** Hidden from COMMAND INFO, like MAY_REPLICATE / SENTINEL / ONLY_SENTINEL / PROTECTED. */
  TOUCHES_ARBITRARY_KEYS = 1 << 24,
}

/** Key-spec flag bits, in the order COMMAND INFO / GETKEYSANDFLAGS print them. */
export const enum KeyFlag {
  RO = 1 << 0,
  RW = 1 << 1,
  OW = 1 << 2,
  RM = 1 << 3,
  ACCESS = 1 << 4,
  UPDATE = 1 << 5,
  INSERT = 1 << 6,
  DELETE = 1 << 7,
  NOT_KEY = 1 << 8,
  INCOMPLETE = 1 << 9,
  VARIABLE_FLAGS = 1 << 10,
}

/**
 * Redis's hand-written key extractors (db.c), used when a command's key specs are
 * incomplete, invalid for the given argv, or have variable flags.
 */
export type GetKeysFunctionName =
  | 'bitfieldGetKeys'
  | 'blmpopGetKeys'
  | 'evalGetKeys'
  | 'functionGetKeys'
  | 'georadiusGetKeys'
  | 'lmpopGetKeys'
  | 'migrateGetKeys'
  | 'setGetKeys'
  | 'sintercardGetKeys'
  | 'sortGetKeys'
  | 'sortROGetKeys'
  | 'xreadGetKeys'
  | 'zmpopGetKeys'
  | 'zunionInterDiffGetKeys'
  | 'zunionInterDiffStoreGetKeys';

export interface KeySpec {
  notes?: string;
  /** e.g. ["RW", "ACCESS", "UPDATE"] as in the JSON. */
  flags: string[];
  /** KeyFlag bits of `flags`. */
  flagBits: number;
  beginSearch:
    | { type: 'index'; pos: number }
    | { type: 'keyword'; keyword: string; startfrom: number }
    | { type: 'unknown' };
  findKeys:
    | { type: 'range'; lastkey: number; step: number; limit: number }
    | { type: 'keynum'; keynumidx: number; firstkey: number; step: number }
    | { type: 'unknown' };
}

export interface ArgSpec {
  name: string;
  /** key, string, integer, double, pattern, unix-time, pure-token, oneof, block */
  type: string;
  token?: string;
  keySpecIndex?: number;
  optional?: boolean;
  multiple?: boolean;
  multipleToken?: boolean;
  since?: string;
  deprecatedSince?: string;
  arguments?: ArgSpec[];
}

export interface CommandSpec {
  /** Lower-case full name: "get", or "config|get" for a subcommand. */
  fullName: string;
  /** Lower-case own name: "get" (for "config|get" too). */
  name: string;
  /** Lower-case container name for subcommands. */
  container?: string;
  summary: string;
  since: string;
  group: string;
  complexity?: string;
  docFlags?: string[];
  deprecatedSince?: string;
  replacedBy?: string;
  history?: [string, string][];
  /** The newer Redis version whose arguments were merged into this 7.0 spec (not printed). */
  extendedIn?: string;
  arity: number;
  /** Lower-case flag names in the order COMMAND INFO prints them. */
  flags: string[];
  /** CmdFlag bits of `flags`. */
  flagBits: number;
  /** ACL categories as COMMAND INFO prints them: "@write", "@string", ... */
  aclCategories: string[];
  /** Command tips, as COMMAND INFO prints them: "nondeterministic_output", "request_policy:all_shards". */
  tips: string[];
  keySpecs: KeySpec[];
  /** Legacy (first, last, step) key range that COMMAND INFO reports. */
  firstKey: number;
  lastKey: number;
  keyStep: number;
  arguments: ArgSpec[];
  /** Set when Redis has a hand-written key extractor for the command (see keys.ts). */
  getKeysFunction?: GetKeysFunctionName;
  /** Lower-case subcommand name -> spec. */
  subcommands?: Record<string, CommandSpec>;
}
