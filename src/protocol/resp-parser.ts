/**
 * Incremental, binary-safe RESP request parser (multibulk and inline), following
 * Redis 7.0's processMultibulkBuffer / processInlineBuffer, error texts included.
 * Arguments come out as binary strings (one char per byte).
 */

const CR = 13;
const LF = 10;
const INLINE_MAX_SIZE = 64 * 1024;
const MAX_MULTIBULK_LEN_UNAUTH = 1024 * 1024;
const MAX_BULK_LEN_UNAUTH = 16384;
const INT_MAX = 2147483647;
/** A bulk of at least this size is copied into its own buffer as it arrives. */
const BIG_ARG = 32 * 1024;

type Latin1Buffer = Buffer & { latin1Slice(start: number, end: number): string };

export interface ParserLimits {
  /** proto-max-bulk-len */
  maxBulkLen: number;
  /** client-query-buffer-limit */
  maxQueryBuffer: number;
}

export class ProtocolError extends Error {}

export class RespParser {
  private buf: Latin1Buffer = Buffer.alloc(0) as Latin1Buffer;
  private pos = 0;
  /** Multibulk in progress: arguments still expected (0 when none). */
  private argsLeft = 0;
  private args: string[] = [];
  /** Length of the bulk being read, or -1 when its $ line is still to be read. */
  private bulkLen = -1;
  /** A big bulk being filled in place. */
  private bigArg: Buffer | null = null;
  private bigArgFilled = 0;

  constructor(
    private readonly limits: ParserLimits,
    /** Whether the client has authenticated (unauthenticated clients get tighter limits). */
    private readonly isAuthenticated: () => boolean = () => true,
  ) {}

  /** Bytes received but not parsed yet (for client-query-buffer-limit and CLIENT LIST qbuf). */
  get pendingBytes(): number {
    return this.buf.length - this.pos + (this.bigArg ? this.bigArgFilled : 0);
  }

  /**
   * Adds received bytes and appends every complete command to `out`. Throws
   * ProtocolError (after appending the commands that preceded the bad input).
   * `transient`: the chunk's memory is reused after this call (a socket's read buffer), so
   * an incomplete command left in it is copied.
   */
  feed(chunk: Buffer, out: string[][], transient = false): void {
    if (this.bigArg) {
      chunk = this.fillBigArg(chunk, out);
      if (chunk.length === 0) return;
    }
    if (this.pos >= this.buf.length) {
      this.buf = chunk as Latin1Buffer;
    } else {
      this.buf = Buffer.concat([this.buf.subarray(this.pos), chunk]) as Latin1Buffer;
    }
    this.pos = 0;
    try {
      this.parse(out);
    } finally {
      if (transient && this.buf === chunk && this.pos < chunk.length) {
        this.buf = Buffer.from(chunk.subarray(this.pos)) as Latin1Buffer;
        this.pos = 0;
      }
    }
    if (this.buf.length - this.pos > this.limits.maxQueryBuffer) {
      throw new ProtocolError('client-query-buffer-limit exceeded');
    }
  }

  private parse(out: string[][]): void {
    const buf = this.buf;
    const len = buf.length;
    while (this.pos < len) {
      if (this.argsLeft === 0) {
        if (buf[this.pos] === 42 /* '*' */) {
          if (!this.readMultibulkHeader(out)) return;
          if (this.argsLeft === 0) continue;
        } else {
          if (!this.readInline(out)) return;
          continue;
        }
      }
      // Read bulk arguments of the multibulk in progress.
      while (this.argsLeft > 0) {
        if (this.bulkLen < 0) {
          const cr = findLineEnd(buf, this.pos, len);
          if (cr < 0) {
            if (len - this.pos > INLINE_MAX_SIZE) throw new ProtocolError('Protocol error: too big bulk count string');
            return;
          }
          if (buf[this.pos] !== 36 /* '$' */) {
            throw new ProtocolError(`Protocol error: expected '$', got '${String.fromCharCode(buf[this.pos])}'`);
          }
          const n = parseLength(buf, this.pos + 1, cr);
          if (n < 0 || n > this.limits.maxBulkLen) throw new ProtocolError('Protocol error: invalid bulk length');
          if (n > MAX_BULK_LEN_UNAUTH && !this.isAuthenticated()) {
            throw new ProtocolError('Protocol error: unauthenticated bulk length');
          }
          this.pos = cr + 2;
          this.bulkLen = n;
          if (n >= BIG_ARG && len - this.pos < n + 2) {
            // Copy what we have into a buffer of the final size; the rest lands there directly.
            this.bigArg = Buffer.allocUnsafe(n + 2);
            this.bigArgFilled = buf.copy(this.bigArg, 0, this.pos, len);
            this.pos = len;
            return;
          }
        }
        if (len - this.pos < this.bulkLen + 2) return;
        this.args.push(sliceLatin1(buf, this.pos, this.pos + this.bulkLen));
        this.pos += this.bulkLen + 2;
        this.bulkLen = -1;
        this.argsLeft--;
      }
      out.push(this.args);
      this.args = [];
    }
  }

  /** Parses "*N\r\n". Returns false when more data is needed. */
  private readMultibulkHeader(out: string[][]): boolean {
    const buf = this.buf;
    const cr = findLineEnd(buf, this.pos, buf.length);
    if (cr < 0) {
      if (buf.length - this.pos > INLINE_MAX_SIZE) throw new ProtocolError('Protocol error: too big mbulk count string');
      return false;
    }
    const n = parseLength(buf, this.pos + 1, cr, true);
    if (n === INVALID || n > INT_MAX) throw new ProtocolError('Protocol error: invalid multibulk length');
    if (n > MAX_MULTIBULK_LEN_UNAUTH && !this.isAuthenticated()) {
      throw new ProtocolError('Protocol error: unauthenticated multibulk length');
    }
    this.pos = cr + 2;
    if (n <= 0) return true; // "*0" and "*-1" are empty requests, skipped
    this.argsLeft = n;
    this.args = [];
    this.bulkLen = -1;
    void out;
    return true;
  }

  private readInline(out: string[][]): boolean {
    const buf = this.buf;
    const nl = buf.indexOf(LF, this.pos);
    if (nl < 0) {
      if (buf.length - this.pos > INLINE_MAX_SIZE) throw new ProtocolError('Protocol error: too big inline request');
      return false;
    }
    const end = nl > this.pos && buf[nl - 1] === CR ? nl - 1 : nl;
    const line = buf.latin1Slice(this.pos, end);
    this.pos = nl + 1;
    const args = splitInlineArgs(line);
    if (args === null) throw new ProtocolError('Protocol error: unbalanced quotes in request');
    if (args.length > 0) out.push(args);
    return true;
  }

  private fillBigArg(chunk: Buffer, out: string[][]): Buffer {
    const big = this.bigArg!;
    const need = big.length - this.bigArgFilled;
    const take = Math.min(need, chunk.length);
    chunk.copy(big, this.bigArgFilled, 0, take);
    this.bigArgFilled += take;
    if (this.bigArgFilled < big.length) return chunk.subarray(chunk.length);
    this.args.push((big as Latin1Buffer).latin1Slice(0, big.length - 2));
    this.bigArg = null;
    this.bigArgFilled = 0;
    this.bulkLen = -1;
    this.argsLeft--;
    if (this.argsLeft === 0) {
      out.push(this.args);
      this.args = [];
    }
    return chunk.subarray(take);
  }
}

const INVALID = -0x7fffffff;

/**
 * Bytes as a binary string. Very short arguments (command names) are built in JS: a
 * call into Buffer's C++ latin1Slice costs more than the copy itself.
 */
function sliceLatin1(buf: Latin1Buffer, start: number, end: number): string {
  // Longer strings built char by char would be cons-strings that a Map lookup must
  // flatten again: those go through latin1Slice.
  switch (end - start) {
    case 0:
      return '';
    case 1:
      return String.fromCharCode(buf[start]);
    case 2:
      return String.fromCharCode(buf[start], buf[start + 1]);
    case 3:
      return String.fromCharCode(buf[start], buf[start + 1], buf[start + 2]);
    case 4:
      return String.fromCharCode(buf[start], buf[start + 1], buf[start + 2], buf[start + 3]);
    default:
      return buf.latin1Slice(start, end);
  }
}

/**
 * Index of the '\r' ending the line that starts at `from`, as Redis finds it (strchr
 * for '\r'; the byte after it is taken as '\n' unchecked), or -1 when the line or the
 * byte after its '\r' has not arrived yet.
 */
function findLineEnd(buf: Buffer, from: number, len: number): number {
  for (let i = from; i < len; i++) {
    if (buf[i] === CR) return i + 1 < len ? i : -1;
  }
  return -1;
}

/**
 * Parses the decimal between start and end (end = index of CR). Returns INVALID when the
 * text is not a canonical integer (as string2ll).
 */
function parseLength(buf: Buffer, start: number, end: number, allowNegative = false): number {
  if (end < 0 || start >= end || end - start > 20) return INVALID;
  let i = start;
  let neg = false;
  if (buf[i] === 45 /* - */) {
    if (!allowNegative) return INVALID;
    neg = true;
    i++;
    if (i === end) return INVALID;
  }
  let n = 0;
  for (; i < end; i++) {
    const c = buf[i] - 48;
    if (c < 0 || c > 9) return INVALID;
    n = n * 10 + c;
  }
  if (n > Number.MAX_SAFE_INTEGER) return INVALID;
  return neg ? -n : n;
}

/**
 * Splits an inline request like sdssplitargs: whitespace-separated words, "double
 * quotes" with \n \r \t \b \a \\ \" \xHH escapes, 'single quotes' with \' only. A closing
 * quote must be followed by a space or the end. Returns null on unbalanced quotes.
 */
export function splitInlineArgs(line: string): string[] | null {
  const args: string[] = [];
  let i = 0;
  const n = line.length;
  const isSpace = (c: string) => c === ' ' || c === '\n' || c === '\r' || c === '\t' || c === '\v' || c === '\f';
  for (;;) {
    while (i < n && isSpace(line[i])) i++;
    if (i >= n) return args;
    let current = '';
    let inDouble = false;
    let inSingle = false;
    for (;;) {
      if (inDouble) {
        if (i >= n) return null;
        const c = line[i];
        if (c === '\\' && i + 3 < n && line[i + 1] === 'x' && isHex(line[i + 2]) && isHex(line[i + 3])) {
          current += String.fromCharCode(parseInt(line.substr(i + 2, 2), 16));
          i += 3;
        } else if (c === '\\' && i + 1 < n) {
          i++;
          const e = line[i];
          current += e === 'n' ? '\n' : e === 'r' ? '\r' : e === 't' ? '\t' : e === 'b' ? '\b' : e === 'a' ? '\x07' : e;
        } else if (c === '"') {
          if (i + 1 < n && !isSpace(line[i + 1])) return null;
          inDouble = false;
          i++;
          break;
        } else {
          current += c;
        }
      } else if (inSingle) {
        if (i >= n) return null;
        const c = line[i];
        if (c === '\\' && i + 1 < n && line[i + 1] === "'") {
          i++;
          current += "'";
        } else if (c === "'") {
          if (i + 1 < n && !isSpace(line[i + 1])) return null;
          inSingle = false;
          i++;
          break;
        } else {
          current += c;
        }
      } else {
        if (i >= n) break;
        const c = line[i];
        if (isSpace(c)) break;
        if (c === '"') inDouble = true;
        else if (c === "'") inSingle = true;
        else current += c;
      }
      i++;
    }
    args.push(current);
  }
}

function isHex(c: string): boolean {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
