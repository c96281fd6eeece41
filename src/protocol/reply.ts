/**
 * Reply values: what command handlers return. The connection encodes them as RESP2 or
 * RESP3 (see resp-encoder.ts); the scripting bridge converts them to Lua values.
 *
 * Strings everywhere in lunakv are *binary strings*: JS strings holding one byte per
 * char (0-255). They become bytes only at the socket (latin1).
 *
 *  string            -> bulk string
 *  number / bigint   -> integer (a number must be an integer; use DoubleReply otherwise)
 *  null              -> null bulk string ($-1 / _)
 *  Reply[]           -> array
 *  the classes below -> their RESP type
 */
export type Reply =
  | string
  | number
  | bigint
  | null
  | Reply[]
  | SimpleReply
  | ErrorReply
  | MapReply
  | SetReply
  | DoubleReply
  | BoolReply
  | BigNumberReply
  | VerbatimReply
  | NullArrayReply
  | PushReply
  | AttributeReply
  | NoReply;

/** +status */
export class SimpleReply {
  constructor(readonly text: string) {}
}

/** -ERR message: `message` holds the full text, prefix included ("ERR ...", "WRONGTYPE ..."). */
export class ErrorReply {
  /**
   * `statsCounted`: already counted in INFO errorstats where it arose (a script's
   * redis.call error passed through as the script's reply), so call() skips it.
   */
  constructor(readonly message: string, readonly statsCounted = false) {}
  /** The error code Redis counts in INFO errorstats: the first word. */
  get code(): string {
    const sp = this.message.indexOf(' ');
    return sp < 0 ? this.message : this.message.slice(0, sp);
  }
}

/** RESP3 map (%); flattened to an array in RESP2. `entries` alternates key, value. */
export class MapReply {
  constructor(readonly entries: Reply[]) {}
}

/** RESP3 set (~); an array in RESP2. */
export class SetReply {
  constructor(readonly items: Reply[]) {}
}

/** RESP3 double (,); a bulk string in RESP2 formatted like Redis (see formatDouble). */
export class DoubleReply {
  /** `text`: the exact digits to send when Redis formats this double its own way (GEOPOS). */
  constructor(readonly value: number, readonly text?: string) {}
}

/** RESP3 boolean (#t/#f); integer 1/0 in RESP2. */
export class BoolReply {
  constructor(readonly value: boolean) {}
}

/** RESP3 big number ((); bulk string in RESP2. */
export class BigNumberReply {
  constructor(readonly digits: string) {}
}

/** RESP3 verbatim string (=); bulk string in RESP2. */
export class VerbatimReply {
  constructor(readonly text: string, readonly format: string = 'txt') {}
}

/** The null array: *-1 in RESP2, _ in RESP3. */
export class NullArrayReply {
  private constructor() {}
  static readonly instance = new NullArrayReply();
}

/** RESP3 push (>); an array in RESP2 (pub/sub messages). */
export class PushReply {
  constructor(readonly items: Reply[]) {}
}

/** A RESP3 attribute (|) followed by the reply it annotates; RESP2 sees only the reply. */
export class AttributeReply {
  constructor(
    readonly entries: Reply[],
    readonly reply: Reply,
  ) {}
}

/**
 * Nothing is written now: the command blocked (the reply comes later), or the client
 * turned replies off. Handlers return NO_REPLY and take care of replying themselves.
 */
export class NoReply {
  private constructor() {}
  static readonly instance = new NoReply();
}

export const NO_REPLY = NoReply.instance;
export const NULL_ARRAY = NullArrayReply.instance;
export const OK = new SimpleReply('OK');
export const QUEUED = new SimpleReply('QUEUED');
export const PONG = new SimpleReply('PONG');

/** Error replies shared by many commands (texts exactly as Redis 7.0). */
export const Errors = {
  wrongType: new ErrorReply('WRONGTYPE Operation against a key holding the wrong kind of value'),
  syntax: new ErrorReply('ERR syntax error'),
  notInteger: new ErrorReply('ERR value is not an integer or out of range'),
  notFloat: new ErrorReply('ERR value is not a valid float'),
  overflow: new ErrorReply('ERR increment or decrement would overflow'),
  noSuchKey: new ErrorReply('ERR no such key'),
  outOfRange: new ErrorReply('ERR index out of range'),
  dbIndexOutOfRange: new ErrorReply('ERR DB index is out of range'),
  timeoutNotFloat: new ErrorReply('ERR timeout is not a float or out of range'),
  timeoutNegative: new ErrorReply('ERR timeout is negative'),
  oom: new ErrorReply("OOM command not allowed when used memory > 'maxmemory'."),
} as const;

export function err(message: string): ErrorReply {
  return new ErrorReply(message);
}

export function isError(r: Reply): r is ErrorReply {
  return r instanceof ErrorReply;
}
