/**
 * MIGRATE's exchange with its target, run as a child process when the caller cannot
 * wait (MULTI/EXEC, scripts): the parent blocks on it with spawnSync, as Redis's MIGRATE
 * blocks on its socket. Usage: node migrate-exchange.js host port lines timeoutMs,
 * the bytes to send on standard input. It connects, writes them, reads `lines` reply
 * lines (each within timeoutMs) and prints one JSON object:
 *   { lines }                                 every line arrived
 *   { stage: 'connect' }                      the target could not be reached
 *   { stage: 'write' | 'read', lines, timedOut? }  where it stopped
 */
import net from 'node:net';

export interface ExchangeOutcome {
  stage?: 'connect' | 'write' | 'read';
  lines?: string[];
  timedOut?: boolean;
}

function run(host: string, port: number, count: number, timeoutMs: number, input: Buffer): void {
  const out = (o: ExchangeOutcome): never => {
    process.stdout.write(JSON.stringify(o));
    process.exit(0);
  };
  const lines: string[] = [];
  let buffer = '';
  let timer = setTimeout(() => out({ stage: 'connect' }), timeoutMs);
  const socket = net.connect({ host, port });
  let connected = false;
  socket.on('error', (e: NodeJS.ErrnoException) => {
    const unresolved = e.code === 'ENOTFOUND' || String(e.code).startsWith('EAI_');
    out(connected ? { stage: 'read', lines } : unresolved ? { stage: 'connect' } : { stage: 'write', lines });
  });
  socket.on('close', () => out({ stage: 'read', lines }));
  socket.on('connect', () => {
    connected = true;
    clearTimeout(timer);
    socket.setNoDelay(true);
    // Each line must come within the timeout of the one before (connSyncReadLine).
    const arm = (): void => {
      clearTimeout(timer);
      timer = setTimeout(() => out({ stage: 'read', lines, timedOut: true }), timeoutMs);
    };
    arm();
    socket.write(input, (e) => {
      if (e) out({ stage: 'write', lines });
    });
    if (count === 0) out({ lines });
    socket.on('data', (d: Buffer) => {
      buffer += d.toString('latin1');
      for (let i = buffer.indexOf('\n'); i >= 0; i = buffer.indexOf('\n')) {
        let line = buffer.slice(0, i);
        buffer = buffer.slice(i + 1);
        if (line.endsWith('\r')) line = line.slice(0, -1);
        lines.push(line);
        if (lines.length === count) out({ lines });
        arm();
      }
    });
  });
}

const [host, port, count, timeout] = process.argv.slice(2);
if (host !== undefined) {
  const chunks: Buffer[] = [];
  process.stdin.on('data', (c: Buffer) => chunks.push(c));
  process.stdin.on('end', () => run(host, Number(port), Number(count), Number(timeout), Buffer.concat(chunks)));
}
