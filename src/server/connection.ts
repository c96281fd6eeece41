/**
 * A TCP connection: feeds received bytes to the RESP parser, runs the commands in order,
 * and writes replies in one batch per read.
 */
import type { Socket } from 'node:net';
import { ProtocolError, RespParser } from '../protocol/resp-parser.js';
import { RespWriter } from '../protocol/resp-encoder.js';
import { ErrorReply, type Reply } from '../protocol/reply.js';
import { Client, type ReplySink } from './client.js';
import { DEFERRED, processCommand } from './dispatch.js';
import type { Server } from './server.js';
import { attachSocketIO, type SocketIO } from './socket-io.js';
import { overOutputLimit } from './output-limits.js';

/** Stop reading from a client whose unsent replies exceed this (backpressure). */
const OUTPUT_HIGH_WATER = 64 * 1024 * 1024;

/** Connections with replies to write at the end of this event-loop turn. */
const flushQueue: Connection[] = [];
function flushAll(): void {
  // A flush can queue replies for another connection (one it unblocked): take a snapshot.
  const batch = flushQueue.splice(0);
  for (const c of batch) c.flush();
}

export class Connection implements ReplySink {
  readonly client: Client;
  private readonly parser: RespParser;
  private readonly writer = new RespWriter();
  private pending: string[][] = [];
  private pendingIndex = 0;
  private protocolError: string | null = null;
  private processing = false;
  private flushScheduled = false;
  private readPaused = false;
  private readonly io: SocketIO;
  private readonly outputLimitState = { softSince: 0 };
  /** Bytes of the read being processed, with what was left from earlier reads. */
  private readBytes = 0;

  constructor(
    private readonly server: Server,
    private readonly socket: Socket,
    /** The unix socket path for a unix domain connection (addr shows "path:0"). */
    unixPath: string | null = null,
  ) {
    this.client = new Client(server, this, {
      addr: unixPath !== null ? `${unixPath}:0` : `${socket.remoteAddress}:${socket.remotePort}`,
      laddr: unixPath !== null ? `${unixPath}:0` : `${socket.localAddress}:${socket.localPort}`,
      fd: (socket as unknown as { _handle?: { fd?: number } })._handle?.fd ?? -1,
    });
    this.parser = new RespParser(server.parserLimits, () => this.client.authenticated);
    // While a read's commands run, Redis's query buffer still holds all of that read
    // (it is trimmed afterwards): CLIENT LIST's qbuf counts it.
    this.client.queryBufferBytes = () => (this.processing ? this.readBytes : this.parser.pendingBytes);
    this.client.onResume = () => this.processPending();
    server.clients.set(this.client.id, this.client);
    server.stats.totalConnections++;
    if (unixPath === null) socket.setNoDelay(true);
    else this.client.isUnixSocket = true;
    socket.on('close', () => this.onClose());
    socket.on('error', () => socket.destroy());
    this.io = attachSocketIO(socket, {
      data: (chunk, transient) => this.onData(chunk, transient),
      drain: () => this.onDrain(),
      end: () => this.onEnd(),
    });
  }

  private onData(chunk: Buffer, transient: boolean): void {
    this.server.stats.netInputBytes += chunk.length;
    this.client.lastInteraction = Date.now();
    if (this.protocolError !== null || this.client.closed) return;
    const hook = this.client.inputHook;
    if (hook !== null) {
      hook.data(chunk.toString('latin1'));
      return;
    }
    this.readBytes = this.parser.pendingBytes + chunk.length;
    try {
      this.parser.feed(chunk, this.pending, transient);
    } catch (e) {
      if (!(e instanceof ProtocolError)) throw e;
      this.protocolError = e.message;
    }
    this.processPending();
  }

  /** Runs queued commands until done, blocked or deferred. */
  processPending(): void {
    if (this.processing || this.client.closed) return;
    this.processing = true;
    this.server.clock.now = Date.now();
    try {
      const client = this.client;
      while (this.pendingIndex < this.pending.length) {
        if (client.blocked !== null || client.closeAfterReply) break;
        const args = this.pending[this.pendingIndex];
        if (processCommand(client, args) === DEFERRED) {
          this.server.deferClient(client);
          break;
        }
        this.pendingIndex++;
      }
      if (this.pendingIndex === this.pending.length) {
        this.pending = [];
        this.pendingIndex = 0;
        if (this.protocolError !== null && !client.closeAfterReply) {
          this.server.stats.error('ERR');
          this.send(new ErrorReply(`ERR ${this.protocolError}`));
          this.server.log.verbose(`Protocol error (${this.protocolError}) from client: id=${client.id} addr=${client.addr}`);
          client.closeAfterReply = true;
        }
      }
    } finally {
      this.processing = false;
    }
    this.scheduleFlush();
  }

  /**
   * Replies go out once every connection readable in this turn of the event loop has
   * been served, as Redis writes them in beforeSleep: the client then finds many replies
   * per wakeup (measured at -P 1: FCALL 35k -> 47k rps, SET 49k -> 54k).
   */
  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    flushQueue.push(this);
    if (flushQueue.length === 1) setImmediate(flushAll);
  }

  send(reply: Reply): void {
    if (this.client.closed) return;
    this.writer.write(reply, this.client.protocol);
    if (!this.processing) this.scheduleFlush();
  }

  sendRaw(bytes: string): void {
    if (this.client.closed) return;
    this.writer.raw(bytes);
    if (!this.processing) this.scheduleFlush();
  }

  sendRawBytes(bytes: Uint8Array): void {
    if (this.client.closed) return;
    this.writer.rawBytes(bytes);
    if (!this.processing) this.scheduleFlush();
  }

  writeStream(bytes: Buffer): void {
    if (this.client.closed || this.socket.destroyed) return;
    // Behind what the output buffer holds (e.g. +CONTINUE, a payload).
    if (this.writer.length > 0) this.flush();
    this.server.stats.netOutputBytes += bytes.length;
    this.io.write(bytes);
  }

  queuedBytes(): number {
    return this.io.queuedBytes();
  }

  hasPendingReplies(): boolean {
    return this.writer.length > 0 || this.io.queuedBytes() > 0;
  }

  close(afterReply: boolean): void {
    if (afterReply) {
      this.client.closeAfterReply = true;
      this.flush();
    } else {
      this.socket.destroy();
    }
  }

  flush(): void {
    this.flushScheduled = false;
    if (this.writer.length > 0 && !this.socket.destroyed) {
      const out = this.writer.view();
      this.server.stats.netOutputBytes += out.length;
      // A write that completed at once leaves nothing queued: the buffer can be reused.
      this.writer.consumed(!this.io.write(out));
      if (this.overOutputLimit()) return;
      if (this.io.queuedBytes() > OUTPUT_HIGH_WATER && !this.readPaused) {
        this.readPaused = true;
        this.io.pauseReading();
      }
    }
    if (this.client.closeAfterReply && !this.client.closed) {
      this.client.closed = true;
      // Close fully once the replies are out, as Redis does: a client still sending
      // (after a protocol error) gets a reset rather than a half-open socket.
      this.socket.end(() => this.socket.destroy());
    }
  }

  /**
   * client-output-buffer-limit, checked on what the kernel has not taken yet: a client
   * over its class's limit is disconnected at once, its pending output dropped.
   */
  private overOutputLimit(): boolean {
    const used = this.io.queuedBytes();
    const client = this.client;
    // A replica's payload and stream are not output buffer (replication checks its limit).
    if (client.isReplica) return false;
    if (used === 0 && this.outputLimitState.softSince === 0) return false;
    const limits = this.server.outputLimits;
    const limit = client.inPubSub ? limits.pubsub : limits.normal;
    if (!overOutputLimit(limit, used, this.outputLimitState, Date.now())) return false;
    this.server.log.warning(`Client id=${client.id} addr=${client.addr} scheduled to be closed ASAP for overcoming of output buffer limits.`);
    client.closed = true;
    this.socket.destroy();
    return true;
  }

  /**
   * The client half-closed. Redis writes the replies of what it already read before it
   * sees the end of input, so those go out first; then the connection closes.
   */
  private onEnd(): void {
    if (this.client.closed) return;
    if (this.writer.length > 0 || this.flushScheduled) {
      this.client.closeAfterReply = true;
      if (!this.flushScheduled) this.flush();
    } else {
      this.client.closed = true;
      this.socket.destroy();
    }
  }

  private onDrain(): void {
    this.client.onDrain?.();
    if (this.readPaused) {
      this.readPaused = false;
      this.io.resumeReading();
    }
  }

  private onClose(): void {
    this.client.closed = true;
    this.client.inputHook?.closed();
    this.server.removeClient(this.client);
  }
}
