/**
 * Key extraction from a command's argv using its key specs, as Redis 7.0 does it
 * (db.c: getKeysFromCommandWithSpecs, getKeysUsingKeySpecs and the hand-written
 * *GetKeys functions), plus the COMMAND GETKEYS / GETKEYSANDFLAGS checks.
 *
 * `argv` is always the full command line as binary strings: argv[0] is the command name
 * (for a subcommand argv[1] is the subcommand name), and positions index into it.
 */
import { ErrorReply } from '../../protocol/reply.js';
import { CmdFlag, KeyFlag, type CommandSpec, type GetKeysFunctionName, type KeySpec } from '../spec.js';

export interface KeyReference {
  /** Index of the key in argv. */
  pos: number;
  /** KeyFlag bits; 0 when the extractor knows nothing about the access. */
  flags: number;
}

export const GETKEYS_ERRORS = {
  noKeys: new ErrorReply('ERR The command has no key arguments'),
  arity: new ErrorReply('ERR Invalid number of arguments specified for command'),
  invalid: new ErrorReply('ERR Invalid arguments specified for command'),
} as const;

/** Key-flag names in the order Redis prints them (addReplyFlagsForKeyArgs). */
const KEY_FLAG_NAMES: readonly [KeyFlag, string][] = [
  [KeyFlag.RO, 'RO'],
  [KeyFlag.RW, 'RW'],
  [KeyFlag.OW, 'OW'],
  [KeyFlag.RM, 'RM'],
  [KeyFlag.ACCESS, 'access'],
  [KeyFlag.UPDATE, 'update'],
  [KeyFlag.INSERT, 'insert'],
  [KeyFlag.DELETE, 'delete'],
  [KeyFlag.NOT_KEY, 'not_key'],
  [KeyFlag.INCOMPLETE, 'incomplete'],
  [KeyFlag.VARIABLE_FLAGS, 'variable_flags'],
];

export function keyFlagNames(flagBits: number): string[] {
  return KEY_FLAG_NAMES.filter(([bit]) => (flagBits & bit) !== 0).map(([, name]) => name);
}

/** Whether the command can have keys at all (doesCommandHaveKeys). */
export function commandHasKeys(spec: CommandSpec): boolean {
  return spec.getKeysFunction !== undefined || spec.keySpecs.some((ks) => (ks.flagBits & KeyFlag.NOT_KEY) === 0);
}

/**
 * The keys of a command line with their access flags (getKeysFromCommandWithSpecs).
 * Returns [] when the arguments do not allow finding the keys; the command itself will
 * then report the syntax error. The caller is expected to have checked the arity.
 */
export function extractKeys(spec: CommandSpec, argv: readonly string[]): KeyReference[] {
  const hasRealKeySpec = spec.keySpecs.some((ks) => (ks.flagBits & KeyFlag.NOT_KEY) === 0);
  const hasVariableFlags = spec.keySpecs.some((ks) => (ks.flagBits & KeyFlag.VARIABLE_FLAGS) !== 0);
  // Key specs are preferred when their flags are reliable; when they fail (an unknown or
  // incomplete spec, or arguments that do not fit) the hand-written extractor decides.
  if (hasRealKeySpec && !hasVariableFlags) {
    const keys = keysFromKeySpecs(spec, argv);
    if (keys !== undefined) return keys;
  }
  if (spec.getKeysFunction !== undefined) return HAND_WRITTEN_EXTRACTORS[spec.getKeysFunction](argv);
  return [];
}

/**
 * COMMAND GETKEYSANDFLAGS semantics for an already looked-up command: the keys with
 * their flags, or the error COMMAND GETKEYS replies.
 */
export function getKeysAndFlags(spec: CommandSpec, argv: readonly string[]): KeyReference[] | ErrorReply {
  if (!commandHasKeys(spec)) return GETKEYS_ERRORS.noKeys;
  const argc = argv.length;
  if ((spec.arity > 0 && spec.arity !== argc) || argc < -spec.arity) return GETKEYS_ERRORS.arity;
  const keys = extractKeys(spec, argv);
  if (keys.length === 0 && (spec.flagBits & CmdFlag.NO_MANDATORY_KEYS) === 0) return GETKEYS_ERRORS.invalid;
  return keys;
}

/** COMMAND GETKEYS semantics: the argv positions of the keys, or the error reply. */
export function getKeyPositions(spec: CommandSpec, argv: readonly string[]): number[] | ErrorReply {
  const keys = getKeysAndFlags(spec, argv);
  return keys instanceof ErrorReply ? keys : keys.map((k) => k.pos);
}

// ---- Key specs (getKeysUsingKeySpecs) ----

/** Keys found through the key specs, or undefined when a spec cannot be applied to argv. */
function keysFromKeySpecs(spec: CommandSpec, argv: readonly string[]): KeyReference[] | undefined {
  const keys: KeyReference[] = [];
  for (const keySpec of spec.keySpecs) {
    // NOT_KEY specs describe arguments that only look like keys (e.g. shard channels).
    if (keySpec.flagBits & KeyFlag.NOT_KEY) continue;
    const first = findFirstKeyIndex(keySpec, argv);
    if (first === undefined) return undefined;
    if (first === 0) continue; // The keyword is absent: this spec contributes no keys.
    const range = findKeyRange(keySpec, argv, first);
    if (range === undefined) return undefined;
    const { last, step } = range;
    if (last >= argv.length || last < range.first || range.first >= argv.length) return undefined;
    for (let i = range.first; i <= last; i += step) keys.push({ pos: i, flags: keySpec.flagBits });
    // An incomplete spec found some keys but not necessarily all of them.
    if (keySpec.flagBits & KeyFlag.INCOMPLETE) return undefined;
  }
  return keys;
}

/** Where the spec's search starts: an argv index, 0 for an absent keyword, undefined if unknown. */
function findFirstKeyIndex(keySpec: KeySpec, argv: readonly string[]): number | undefined {
  const search = keySpec.beginSearch;
  if (search.type === 'index') return search.pos;
  if (search.type === 'unknown') return undefined;
  const argc = argv.length;
  // Forward from `startfrom`, or backward from argc+startfrom when it is negative. Like Redis,
  // the scan stops before the last argument (forward) or before argv[1] (backward).
  const start = search.startfrom > 0 ? search.startfrom : argc + search.startfrom;
  const end = search.startfrom > 0 ? argc - 1 : 1;
  const direction = start <= end ? 1 : -1;
  for (let i = start; i !== end; i += direction) {
    if (i >= argc || i < 1) break;
    if (cStringCaseEquals(argv[i], search.keyword)) return i + 1;
  }
  return 0;
}

function findKeyRange(
  keySpec: KeySpec,
  argv: readonly string[],
  searchStart: number,
): { first: number; last: number; step: number } | undefined {
  const argc = argv.length;
  const find = keySpec.findKeys;
  if (find.type === 'range') {
    let last: number;
    if (find.lastkey >= 0) last = searchStart + find.lastkey;
    else if (find.limit === 0) last = argc + find.lastkey;
    // With a limit, only 1/limit of the remaining arguments are keys (lastkey is -1 then).
    else last = searchStart + (Math.trunc((argc - searchStart) / find.limit) + find.lastkey);
    return { first: searchStart, last, step: find.step };
  }
  if (find.type === 'keynum') {
    // Redis checks keynumidx alone against argc; the sum can still be past the end.
    if (find.keynumidx >= argc) return undefined;
    const countArg = argv[searchStart + find.keynumidx];
    if (countArg === undefined) return undefined;
    const count = parseStrictInteger(countArg);
    if (count === undefined || count < 0n) return undefined;
    const first = searchStart + find.firstkey;
    // Redis narrows the count to a C int before adding it.
    return { first, last: first + Number(BigInt.asIntN(32, count)) - 1, step: find.step };
  }
  return undefined;
}

// ---- Hand-written extractors (db.c *GetKeys) ----

type Extractor = (argv: readonly string[]) => KeyReference[];

const HAND_WRITTEN_EXTRACTORS: Record<GetKeysFunctionName, Extractor> = {
  // COMMAND [destkey] numkeys key [key ...] ...
  evalGetKeys: (argv) => numkeysPrefixedKeys(argv, 0, 2, 3),
  functionGetKeys: (argv) => numkeysPrefixedKeys(argv, 0, 2, 3),
  sintercardGetKeys: (argv) => numkeysPrefixedKeys(argv, 0, 1, 2),
  zunionInterDiffGetKeys: (argv) => numkeysPrefixedKeys(argv, 0, 1, 2),
  zunionInterDiffStoreGetKeys: (argv) => numkeysPrefixedKeys(argv, 1, 2, 3),
  lmpopGetKeys: (argv) => numkeysPrefixedKeys(argv, 0, 1, 2),
  zmpopGetKeys: (argv) => numkeysPrefixedKeys(argv, 0, 1, 2),
  blmpopGetKeys: (argv) => numkeysPrefixedKeys(argv, 0, 2, 3),
  sortROGetKeys: () => [{ pos: 1, flags: KeyFlag.RO | KeyFlag.ACCESS }],
  sortGetKeys: sortKeys,
  migrateGetKeys: migrateKeys,
  georadiusGetKeys: georadiusKeys,
  xreadGetKeys: xreadKeys,
  setGetKeys: setKeys,
  bitfieldGetKeys: bitfieldKeys,
};

/**
 * genericGetKeys: `numkeys` at argv[countIndex], the keys from argv[firstKeyIndex], and an
 * optional destination key at argv[storeIndex] (0 = none) reported last. Flags are 0:
 * these commands' key specs are complete, so this only runs on malformed input.
 */
function numkeysPrefixedKeys(
  argv: readonly string[],
  storeIndex: number,
  countIndex: number,
  firstKeyIndex: number,
): KeyReference[] {
  if (countIndex >= argv.length) return [];
  const count = cAtoi(argv[countIndex]);
  if (count < 1 || count > Math.trunc(argv.length - firstKeyIndex)) return [];
  const keys: KeyReference[] = [];
  for (let i = 0; i < count; i++) keys.push({ pos: firstKeyIndex + i, flags: 0 });
  if (storeIndex !== 0) keys.push({ pos: storeIndex, flags: 0 });
  return keys;
}

/** SORT key [BY p] [LIMIT o c] [GET p ...] [ASC|DESC] [ALPHA] [STORE dest]: the last STORE wins. */
function sortKeys(argv: readonly string[]): KeyReference[] {
  const keys: KeyReference[] = [{ pos: 1, flags: KeyFlag.RO | KeyFlag.ACCESS }];
  let store: KeyReference | undefined;
  const optionArity: Record<string, number> = { limit: 2, get: 1, by: 1 };
  for (let i = 2; i < argv.length; i++) {
    const option = cStringLower(argv[i]);
    if (option === 'limit') i += optionArity.limit;
    else if (option === 'store' && i + 1 < argv.length) store = { pos: i + 1, flags: KeyFlag.OW | KeyFlag.UPDATE };
    else if (option === 'get' || option === 'by') i += optionArity[option];
  }
  if (store !== undefined) keys.push(store);
  return keys;
}

/** MIGRATE host port key|"" db timeout [COPY] [REPLACE] [AUTH pw] [AUTH2 user pw] [KEYS key ...]. */
function migrateKeys(argv: readonly string[]): KeyReference[] {
  let first = 3;
  let count = 1;
  const optionArity: Record<string, number> = { copy: 0, replace: 0, auth: 1, auth2: 2 };
  if (argv.length > 6) {
    for (let i = 6; i < argv.length; i++) {
      const option = cStringLower(argv[i]);
      if (option === 'keys') {
        // A key in the single-key position together with KEYS is a syntax error that
        // MIGRATE itself reports; no keys then.
        if (argv[3].length > 0) count = 0;
        else {
          first = i + 1;
          count = argv.length - first;
        }
        break;
      }
      if (Object.hasOwn(optionArity, option)) i += optionArity[option];
    }
  }
  const keys: KeyReference[] = [];
  for (let i = 0; i < count; i++) keys.push({ pos: first + i, flags: KeyFlag.RW | KeyFlag.ACCESS | KeyFlag.DELETE });
  return keys;
}

/** GEORADIUS[BYMEMBER] key ... [STORE key] [STOREDIST key]: the source key, then the last store key. */
function georadiusKeys(argv: readonly string[]): KeyReference[] {
  let storeIndex = -1;
  for (let i = 5; i < argv.length; i++) {
    const option = cStringLower(argv[i]);
    if ((option === 'store' || option === 'storedist') && i + 1 < argv.length) {
      storeIndex = i + 1;
      i++;
    }
  }
  const keys: KeyReference[] = [{ pos: 1, flags: 0 }];
  if (storeIndex !== -1) keys.push({ pos: storeIndex, flags: 0 });
  return keys;
}

/** XREAD[GROUP] [options] STREAMS key ... id ...: the first half of what follows STREAMS. */
function xreadKeys(argv: readonly string[]): KeyReference[] {
  let streamsIndex = -1;
  for (let i = 1; i < argv.length; i++) {
    const option = cStringLower(argv[i]);
    if (option === 'block' || option === 'count') i++;
    else if (option === 'group') i += 2;
    else if (option === 'noack') continue;
    else {
      if (option === 'streams') streamsIndex = i;
      break;
    }
  }
  if (streamsIndex === -1) return [];
  const remaining = argv.length - streamsIndex - 1;
  if (remaining === 0 || remaining % 2 !== 0) return [];
  const keys: KeyReference[] = [];
  for (let i = 0; i < remaining / 2; i++) keys.push({ pos: streamsIndex + 1 + i, flags: 0 });
  return keys;
}

/** SET key value [... GET ...]: with GET the key is also read. */
function setKeys(argv: readonly string[]): KeyReference[] {
  for (let i = 3; i < argv.length; i++) {
    if (cStringLower(argv[i]) === 'get') return [{ pos: 1, flags: KeyFlag.RW | KeyFlag.ACCESS | KeyFlag.UPDATE }];
  }
  return [{ pos: 1, flags: KeyFlag.OW | KeyFlag.UPDATE }];
}

/** BITFIELD key [GET t o] [SET t o v] [INCRBY t o i] [OVERFLOW m]: read-only with GETs only. */
function bitfieldKeys(argv: readonly string[]): KeyReference[] {
  let readOnly = true;
  for (let i = 2; i < argv.length; i++) {
    const remaining = argv.length - i - 1;
    const operation = cStringLower(argv[i]);
    if (operation === 'get' && remaining >= 2) i += 2;
    else if (operation === 'overflow' && remaining >= 1) i += 1;
    else {
      // SET / INCRBY write; anything else is a syntax error, where writing is the safe guess.
      readOnly = false;
      break;
    }
  }
  const flags = readOnly ? KeyFlag.RO | KeyFlag.ACCESS : KeyFlag.RW | KeyFlag.ACCESS | KeyFlag.UPDATE;
  return [{ pos: 1, flags }];
}

// ---- C string helpers: Redis compares these arguments as NUL-terminated C strings ----

/** The argument as C sees it (up to the first NUL byte), A-Z lower-cased. */
function cStringLower(s: string): string {
  const nul = s.indexOf('\0');
  const c = nul < 0 ? s : s.slice(0, nul);
  return c.replace(/[A-Z]+/g, (m) => m.toLowerCase());
}

/** strcasecmp(a, b) == 0 for binary strings. */
function cStringCaseEquals(a: string, b: string): boolean {
  return cStringLower(a) === cStringLower(b);
}

/** C atoi: leading whitespace, optional sign, then digits; anything else ends the number. */
function cAtoi(s: string): number {
  const match = /^[ \t\n\v\f\r]*([+-]?\d+)/.exec(s);
  if (match === null) return 0;
  const value = Number(match[1]);
  // Out-of-range input is undefined behaviour in C; saturating keeps the checks meaningful.
  return Math.max(-2147483648, Math.min(2147483647, value));
}

/** Redis string2ll: canonical decimal integers only (no sign '+', no leading zeros, no spaces). */
function parseStrictInteger(s: string): bigint | undefined {
  if (!/^(0|-?[1-9]\d*)$/.test(s) || s.length > 20) return undefined;
  const value = BigInt(s);
  if (value > 9223372036854775807n || value < -9223372036854775808n) return undefined;
  return value;
}
