/**
 * A raw RESP client for tests: sends commands and returns each reply's exact bytes,
 * so replies from lunakv and redis-server can be compared byte for byte.
 */
import net from 'node:net';

/** Length of the complete RESP reply at `buf[pos..]`, or -1 if incomplete. */
export function replyLength(buf: Buffer, pos = 0): number {
  if (pos >= buf.length) return -1;
  const nl = buf.indexOf('\r\n', pos);
  if (nl < 0) return -1;
  const type = String.fromCharCode(buf[pos]);
  const head = buf.toString('latin1', pos + 1, nl);
  const after = nl + 2;
  switch (type) {
    case '+':
    case '-':
    case ':':
    case '_':
    case ',':
    case '#':
    case '(':
      return after - pos;
    case '$':
    case '=':
    case '!': {
      const n = Number(head);
      if (n < 0) return after - pos;
      return buf.length >= after + n + 2 ? after + n + 2 - pos : -1;
    }
    case '*':
    case '~':
    case '>':
    case '%': {
      let n = Number(head);
      if (n < 0) return after - pos;
      if (type === '%') n *= 2;
      let p = after;
      for (let i = 0; i < n; i++) {
        const len = replyLength(buf, p);
        if (len < 0) return -1;
        p += len;
      }
      return p - pos;
    }
    default:
      throw new Error(`bad RESP type byte ${JSON.stringify(type)} in ${JSON.stringify(buf.toString('latin1', pos, Math.min(buf.length, pos + 60)))}`);
  }
}

/** Encodes a command as a RESP multibulk (arguments as binary strings or Buffers). */
export function encodeCommand(args: (string | Buffer | number)[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const a of args) {
    const b = Buffer.isBuffer(a) ? a : Buffer.from(String(a), 'latin1');
    parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

export class RespClient {
  private buf = Buffer.alloc(0);
  private waiters: { resolve: (b: Buffer) => void; reject: (e: Error) => void }[] = [];
  private closedError: Error | null = null;
  readonly socket: net.Socket;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.on('data', (d) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.drain();
    });
    const onEnd = () => {
      this.closedError = new Error('connection closed');
      for (const w of this.waiters.splice(0)) w.reject(this.closedError);
    };
    socket.on('close', onEnd);
    socket.on('error', onEnd);
  }

  static connect(port: number, host = '127.0.0.1'): Promise<RespClient> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ port, host }, () => resolve(new RespClient(s)));
      s.once('error', reject);
    });
  }

  private drain(): void {
    while (this.waiters.length > 0) {
      const len = replyLength(this.buf);
      if (len < 0) return;
      const reply = this.buf.subarray(0, len);
      this.buf = this.buf.subarray(len);
      this.waiters.shift()!.resolve(Buffer.from(reply));
    }
  }

  /** Reads the next reply (raw bytes). */
  read(timeoutMs = 5000): Promise<Buffer> {
    if (this.closedError) return Promise.reject(this.closedError);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('timeout waiting for reply')), timeoutMs);
      this.waiters.push({
        resolve: (b) => {
          clearTimeout(timer);
          resolve(b);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.drain();
    });
  }

  writeRaw(data: Buffer | string): void {
    this.socket.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
  }

  /** Sends one command and returns its reply's raw bytes. */
  async call(...args: (string | Buffer | number)[]): Promise<Buffer> {
    this.writeRaw(encodeCommand(args));
    return this.read();
  }

  /** Sends one command and returns the reply as latin1 text (handy in assertions). */
  async text(...args: (string | Buffer | number)[]): Promise<string> {
    return (await this.call(...args)).toString('latin1');
  }

  /** Pipelines several commands and returns their replies. */
  async pipeline(commands: (string | Buffer | number)[][]): Promise<Buffer[]> {
    this.writeRaw(Buffer.concat(commands.map(encodeCommand)));
    const out: Buffer[] = [];
    for (let i = 0; i < commands.length; i++) out.push(await this.read());
    return out;
  }

  /** Waits until the server closes the connection. */
  waitClosed(timeoutMs = 2000): Promise<void> {
    if (this.socket.destroyed || this.closedError) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('connection not closed')), timeoutMs);
      this.socket.once('close', () => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  close(): void {
    this.socket.destroy();
  }
}
