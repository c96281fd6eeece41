/**
 * A raw replica for tests: sends SYNC (as Redis's attach_to_replication_stream does),
 * skips the RDB payload, then parses the propagated commands. PINGs the master sends
 * on its own schedule are dropped.
 */
import net from 'node:net';

export class ReplicationStream {
  private buffer = Buffer.alloc(0);
  private payloadSkipped = false;
  private readonly commands: string[][] = [];
  private waiter: (() => void) | null = null;
  /** The RDB payload received after SYNC. */
  payload: Buffer | null = null;

  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.parse();
      const w = this.waiter;
      this.waiter = null;
      w?.();
    });
  }

  /** Connects, sends `SYNC` and waits for the payload (the stream starts after it). */
  static async attach(port: number, command = 'SYNC'): Promise<ReplicationStream> {
    const socket = net.connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const stream = new ReplicationStream(socket);
    socket.write(`${command}\r\n`);
    await stream.until(() => stream.payloadSkipped, 10000);
    return stream;
  }

  /** Lines before the payload (PSYNC's +FULLRESYNC). */
  readonly preamble: string[] = [];

  private parse(): void {
    for (;;) {
      if (!this.payloadSkipped) {
        const nl = this.buffer.indexOf(0x0a);
        if (nl < 0) return;
        const line = this.buffer.toString('latin1', 0, nl).replace(/\r$/, '');
        if (line === '') {
          this.buffer = this.buffer.subarray(nl + 1); // keepalive newline
          continue;
        }
        if (line[0] !== '$') {
          this.preamble.push(line);
          this.buffer = this.buffer.subarray(nl + 1);
          continue;
        }
        const length = Number(line.slice(1));
        if (this.buffer.length < nl + 1 + length) return;
        this.payload = Buffer.from(this.buffer.subarray(nl + 1, nl + 1 + length));
        this.buffer = this.buffer.subarray(nl + 1 + length);
        this.payloadSkipped = true;
        continue;
      }
      const parsed = parseCommand(this.buffer);
      if (parsed === null) return;
      this.buffer = this.buffer.subarray(parsed.end);
      if (parsed.argv.length === 1 && parsed.argv[0]!.toLowerCase() === 'ping') continue;
      this.commands.push(parsed.argv);
    }
  }

  private until(done: () => boolean, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    return new Promise((resolve, reject) => {
      const check = () => {
        if (done()) return resolve();
        if (Date.now() > deadline) return reject(new Error(`replication stream: timed out; got ${JSON.stringify(this.commands)}`));
        this.waiter = check;
        setTimeout(() => {
          if (this.waiter === check) {
            this.waiter = null;
            check();
          }
        }, 50);
      };
      check();
    });
  }

  /**
   * The commands received up to (excluding) `PUBLISH <channel> ...`, which the caller
   * sends as a marker after its sequence; they are removed from the stream.
   */
  async takeUntilMarker(channel: string, timeoutMs = 10000): Promise<string[][]> {
    const isMarker = (c: string[]) => c[0]!.toLowerCase() === 'publish' && c[1] === channel;
    await this.until(() => this.commands.some(isMarker), timeoutMs);
    const index = this.commands.findIndex(isMarker);
    return this.commands.splice(0, index + 1).slice(0, index);
  }

  close(): void {
    this.socket.destroy();
  }
}

function parseCommand(buffer: Buffer): { argv: string[]; end: number } | null {
  const line = (start: number) => {
    const cr = buffer.indexOf('\r\n', start, 'latin1');
    return cr < 0 ? null : { text: buffer.toString('latin1', start, cr), end: cr + 2 };
  };
  if (buffer.length === 0) return null;
  if (buffer[0] !== 0x2a) throw new Error(`replication stream: unexpected ${JSON.stringify(buffer.toString('latin1', 0, 40))}`);
  const header = line(1);
  if (!header) return null;
  const count = Number(header.text);
  let p = header.end;
  const argv: string[] = [];
  for (let i = 0; i < count; i++) {
    if (p >= buffer.length) return null;
    const len = line(p + 1);
    if (!len) return null;
    const n = Number(len.text);
    if (len.end + n + 2 > buffer.length) return null;
    argv.push(buffer.toString('latin1', len.end, len.end + n));
    p = len.end + n + 2;
  }
  return { argv, end: p };
}
