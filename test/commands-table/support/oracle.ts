/**
 * A throwaway redis-server 7.0 (the oracle) and a raw RESP client that returns the exact
 * bytes of each reply.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseFrame } from './resp-frames.js';

const ORACLE_CANDIDATES = ['/usr/bin/redis-server', '/usr/local/bin/redis-server'];

/** The oracle binary, or undefined when it is not installed (tests then skip and say so). */
export function findOracleBinary(): string | undefined {
  for (const path of ORACLE_CANDIDATES) if (existsSync(path)) return path;
  const which = spawnSync('which', ['redis-server'], { encoding: 'utf8' });
  const found = which.stdout.trim();
  return which.status === 0 && found !== '' ? found : undefined;
}

export const ORACLE_MISSING = 'redis-server (7.0 oracle) is not installed: differential test skipped';

export class RawRespClient {
  private pending = Buffer.alloc(0);
  private waiter: (() => void) | undefined;
  private closed = false;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.pending = Buffer.concat([this.pending, chunk]);
      this.waiter?.();
    });
    socket.on('close', () => {
      this.closed = true;
      this.waiter?.();
    });
  }

  static connect(port: number): Promise<RawRespClient> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.off('error', reject);
        resolve(new RawRespClient(socket));
      });
      socket.once('error', reject);
    });
  }

  /** Sends one command (binary-string arguments) and returns the raw bytes of its reply. */
  async call(...args: string[]): Promise<Buffer> {
    let request = `*${args.length}\r\n`;
    for (const arg of args) request += `$${arg.length}\r\n${arg}\r\n`;
    this.socket.write(Buffer.from(request, 'latin1'));
    for (;;) {
      const frame = this.pending.length > 0 ? parseFrame(this.pending, 0) : undefined;
      if (frame !== undefined) {
        const reply = this.pending.subarray(0, frame.end);
        this.pending = this.pending.subarray(frame.end);
        return Buffer.from(reply);
      }
      if (this.closed) throw new Error('oracle connection closed');
      await new Promise<void>((resolve) => (this.waiter = resolve));
      this.waiter = undefined;
    }
  }

  close(): void {
    this.socket.destroy();
  }
}

export class Oracle {
  private constructor(
    private readonly process: ChildProcess,
    readonly port: number,
  ) {}

  static async start(binary: string, port: number): Promise<Oracle> {
    const child = spawn(binary, ['--port', String(port), '--save', '', '--appendonly', 'no', '--bind', '127.0.0.1'], {
      stdio: 'ignore',
    });
    const oracle = new Oracle(child, port);
    for (let attempt = 0; attempt < 100; attempt++) {
      try {
        const client = await RawRespClient.connect(port);
        client.close();
        return oracle;
      } catch {
        await sleep(50);
      }
    }
    oracle.stop();
    throw new Error(`redis-server did not start on port ${port}`);
  }

  client(): Promise<RawRespClient> {
    return RawRespClient.connect(this.port);
  }

  stop(): void {
    this.process.kill('SIGTERM');
  }
}
