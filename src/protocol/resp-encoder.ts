/**
 * Encodes Reply values as RESP2 or RESP3 into a reusable growing buffer.
 */
import {
  BigNumberReply,
  BoolReply,
  DoubleReply,
  ErrorReply,
  MapReply,
  NoReply,
  NullArrayReply,
  PushReply,
  type Reply,
  SetReply,
  AttributeReply,
  SimpleReply,
  VerbatimReply,
} from './reply.js';
import { formatDouble } from './double.js';

export type Protocol = 2 | 3;

type Latin1Buffer = Buffer & { latin1Write(s: string, offset: number, length?: number): number };

const INITIAL_SIZE = 16 * 1024;

export class RespWriter {
  private buf: Latin1Buffer = Buffer.allocUnsafe(INITIAL_SIZE) as Latin1Buffer;
  private off = 0;

  get length(): number {
    return this.off;
  }

  /**
   * The bytes written so far, without copying. Call `consumed(stillReferenced)` after
   * handing them to a socket: a buffer the socket still holds must not be reused.
   */
  view(): Buffer {
    return this.buf.subarray(0, this.off);
  }

  consumed(stillReferenced: boolean): void {
    this.off = 0;
    if (stillReferenced || this.buf.length > 1024 * 1024) this.buf = Buffer.allocUnsafe(INITIAL_SIZE) as Latin1Buffer;
  }

  /** Takes the bytes written so far (a copy) and resets the writer. */
  take(): Buffer {
    const out = Buffer.allocUnsafe(this.off);
    this.buf.copy(out, 0, 0, this.off);
    this.off = 0;
    if (this.buf.length > 1024 * 1024) this.buf = Buffer.allocUnsafe(INITIAL_SIZE) as Latin1Buffer;
    return out;
  }

  write(reply: Reply, proto: Protocol): void {
    switch (typeof reply) {
      case 'string':
        this.bulk(reply);
        return;
      case 'number':
        this.integer(reply);
        return;
      case 'bigint':
        this.line(58 /* : */, reply.toString());
        return;
      case 'object':
        break;
      default:
        throw new Error(`not a reply: ${typeof reply}`);
    }
    if (reply === null) {
      this.raw(proto === 3 ? '_\r\n' : '$-1\r\n');
    } else if (Array.isArray(reply)) {
      this.line(42 /* * */, String(reply.length));
      for (let i = 0; i < reply.length; i++) this.write(reply[i], proto);
    } else if (reply instanceof SimpleReply) {
      this.line(43 /* + */, reply.text);
    } else if (reply instanceof ErrorReply) {
      this.line(45 /* - */, reply.message);
    } else if (reply instanceof MapReply) {
      const e = reply.entries;
      if (proto === 3) this.line(37 /* % */, String(e.length / 2));
      else this.line(42, String(e.length));
      for (let i = 0; i < e.length; i++) this.write(e[i], proto);
    } else if (reply instanceof SetReply) {
      this.line(proto === 3 ? 126 /* ~ */ : 42, String(reply.items.length));
      for (const item of reply.items) this.write(item, proto);
    } else if (reply instanceof DoubleReply) {
      const text = reply.text ?? formatDouble(reply.value);
      if (proto === 3) this.line(44 /* , */, text);
      else this.bulk(text);
    } else if (reply instanceof BoolReply) {
      if (proto === 3) this.raw(reply.value ? '#t\r\n' : '#f\r\n');
      else this.raw(reply.value ? ':1\r\n' : ':0\r\n');
    } else if (reply instanceof BigNumberReply) {
      if (proto === 3) this.line(40 /* ( */, reply.digits);
      else this.bulk(reply.digits);
    } else if (reply instanceof VerbatimReply) {
      if (proto === 3) {
        const body = reply.format + ':' + reply.text;
        this.line(61 /* = */, String(body.length));
        this.raw(body);
        this.raw('\r\n');
      } else this.bulk(reply.text);
    } else if (reply instanceof NullArrayReply) {
      this.raw(proto === 3 ? '_\r\n' : '*-1\r\n');
    } else if (reply instanceof PushReply) {
      this.line(proto === 3 ? 62 /* > */ : 42, String(reply.items.length));
      for (const item of reply.items) this.write(item, proto);
    } else if (reply instanceof AttributeReply) {
      if (proto === 3) {
        this.line(124 /* | */, String(reply.entries.length / 2));
        for (const e of reply.entries) this.write(e, proto);
      }
      this.write(reply.reply, proto);
    } else if (reply instanceof NoReply) {
      // nothing
    } else {
      throw new Error('not a reply object');
    }
  }

  bulk(s: string): void {
    const n = s.length;
    this.ensure(n + 24);
    const buf = this.buf;
    buf[this.off++] = 36; /* $ */
    this.writeDigits(n);
    buf[this.off++] = 13;
    buf[this.off++] = 10;
    this.writeText(s);
    buf[this.off++] = 13;
    buf[this.off++] = 10;
  }

  /** A non-negative integer's decimal digits (JS loop: cheaper than a C++ call). */
  private writeDigits(n: number): void {
    const buf = this.buf;
    if (n < 10) {
      buf[this.off++] = 48 + n;
      return;
    }
    let digits = 0;
    for (let v = n; v > 0; v = Math.floor(v / 10)) digits++;
    let end = this.off + digits;
    this.off = end;
    for (let v = n; v > 0; v = Math.floor(v / 10)) buf[--end] = 48 + (v % 10);
  }

  /** A binary string's bytes; short ones byte by byte, long ones through latin1Write. */
  private writeText(s: string): void {
    const n = s.length;
    if (n > 32) {
      this.off += this.buf.latin1Write(s, this.off, n);
      return;
    }
    const buf = this.buf;
    let off = this.off;
    for (let i = 0; i < n; i++) buf[off++] = s.charCodeAt(i);
    this.off = off;
  }

  integer(n: number): void {
    if (n >= 0 && n <= 0xffffffff && Number.isInteger(n)) {
      this.ensure(16);
      this.buf[this.off++] = 58; /* : */
      this.writeDigits(n);
      this.buf[this.off++] = 13;
      this.buf[this.off++] = 10;
    } else {
      this.line(58, String(n));
    }
  }

  /** Writes raw protocol text (ASCII / binary string). */
  raw(s: string): void {
    this.ensure(s.length);
    this.off += this.buf.latin1Write(s, this.off, s.length);
  }

  /** Bytes as they are (a replica's RDB payload). */
  rawBytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.off);
    this.off += b.length;
  }

  private line(prefix: number, text: string): void {
    this.ensure(text.length + 3);
    const buf = this.buf;
    buf[this.off++] = prefix;
    this.writeText(text);
    buf[this.off++] = 13;
    buf[this.off++] = 10;
  }

  private ensure(extra: number): void {
    if (this.off + extra <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.off + extra) size *= 2;
    const bigger = Buffer.allocUnsafe(size) as Latin1Buffer;
    this.buf.copy(bigger, 0, 0, this.off);
    this.buf = bigger;
  }
}

/** Encodes one reply on its own (tests, tools). */
export function encodeReply(reply: Reply, proto: Protocol): Buffer {
  const w = new RespWriter();
  w.write(reply, proto);
  return w.take();
}
