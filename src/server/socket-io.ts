/**
 * Byte I/O for a client socket, below net.Socket's stream machinery when Node allows it.
 *
 * At one command per round trip (redis-benchmark -P 1) the Readable/Writable layers of
 * net.Socket cost about a third of the server's CPU per request (measured: 18 us vs 13 us
 * per PING with the handle driven directly). The handle path reads with the TCP handle's
 * `onread` and writes with `writeBuffer`, as net.Socket itself does, and reuses one write
 * request while writes complete at once. It depends on Node internals (the `stream_wrap`
 * binding and `socket._handle`), so it is used only when they look exactly as expected;
 * otherwise, or with LUNAKV_SOCKET_IO=stream, the public stream API is used.
 */
import type { Socket } from 'node:net';

export interface SocketHandlers {
  /**
   * Bytes received. `transient`: the chunk is the socket's read buffer, overwritten by
   * the next read, so nothing may keep a reference to it.
   */
  data(chunk: Buffer, transient: boolean): void;
  /** The peer finished sending (FIN); replies already due should still go out. */
  end(): void;
  /** Everything queued has been written (after write() returned false). */
  drain(): void;
}

export interface SocketIO {
  /**
   * Sends bytes. Returns true when the kernel took them at once, so the buffer may be
   * reused; false when they are queued (the buffer must stay untouched).
   */
  write(bytes: Buffer): boolean;
  /** Bytes accepted by write() and not yet handed to the kernel. */
  queuedBytes(): number;
  pauseReading(): void;
  resumeReading(): void;
}

interface StreamWrapBinding {
  WriteWrap: new () => WriteRequest;
  streamBaseState: Int32Array;
  kReadBytesOrError: number;
  kLastWriteWasAsync: number;
}

interface WriteRequest {
  handle: unknown;
  oncomplete: (status: number) => void;
  async: boolean;
  bytes: number;
  buffer: Buffer | null;
}

interface TcpHandle {
  /** With a user buffer, the data is in that buffer; the byte count is in streamBaseState. */
  onread: () => void;
  readStart(): number;
  readStop(): number;
  writeBuffer(req: WriteRequest, data: Buffer): number;
  useUserBuffer(buffer: Uint8Array): void;
}

/** libuv's end-of-stream read result. */
const UV_EOF = -4095;

/** Size of a connection's read buffer (what one read() may return; Node's default too). */
const READ_BUFFER_SIZE = 64 * 1024;

const binding = loadStreamWrap();

function loadStreamWrap(): StreamWrapBinding | null {
  if (process.env.LUNAKV_SOCKET_IO === 'stream') return null;
  try {
    const b = (process as unknown as { binding(name: string): Partial<StreamWrapBinding> }).binding('stream_wrap');
    const ok =
      typeof b.WriteWrap === 'function' &&
      b.streamBaseState instanceof Int32Array &&
      typeof b.kReadBytesOrError === 'number' &&
      typeof b.kLastWriteWasAsync === 'number';
    return ok ? (b as StreamWrapBinding) : null;
  } catch {
    return null;
  }
}

/** Which implementation new sockets get: 'handle' or 'stream'. */
export function socketIOKind(): 'handle' | 'stream' {
  return binding ? 'handle' : 'stream';
}

/**
 * Takes over reading and writing of a socket accepted with `pauseOnConnect` and
 * `allowHalfOpen`. 'close' and 'error' stay net.Socket events; end of input calls
 * `handlers.end`, a read or write error destroys the socket.
 */
export function attachSocketIO(socket: Socket, handlers: SocketHandlers): SocketIO {
  const handle = (socket as unknown as { _handle?: TcpHandle | null })._handle;
  if (
    binding &&
    handle &&
    typeof handle.writeBuffer === 'function' &&
    typeof handle.readStart === 'function' &&
    typeof handle.useUserBuffer === 'function'
  ) {
    return new HandleIO(binding, socket, handle, handlers);
  }
  return new StreamIO(socket, handlers);
}

class StreamIO implements SocketIO {
  constructor(
    private readonly socket: Socket,
    handlers: SocketHandlers,
  ) {
    socket.on('data', (chunk: Buffer) => handlers.data(chunk, false));
    socket.on('drain', handlers.drain);
    // The server is created with allowHalfOpen: the connection decides when to close.
    socket.on('end', handlers.end);
    // Accepted paused: a 'data' listener alone does not start the flow.
    socket.resume();
  }

  write(bytes: Buffer): boolean {
    const before = this.socket.writableLength;
    this.socket.write(bytes);
    return before === 0 && this.socket.writableLength === 0;
  }

  queuedBytes(): number {
    return this.socket.writableLength;
  }

  pauseReading(): void {
    this.socket.pause();
  }

  resumeReading(): void {
    this.socket.resume();
  }
}

class HandleIO implements SocketIO {
  /** A request object kept for the next write while writes complete synchronously. */
  private spare: WriteRequest | null = null;
  private inFlight = 0;
  private readonly onWriteDone: (this: WriteRequest, status: number) => void;

  constructor(
    private readonly b: StreamWrapBinding,
    private readonly socket: Socket,
    private readonly handle: TcpHandle,
    handlers: SocketHandlers,
  ) {
    const state = b.streamBaseState;
    const { kReadBytesOrError } = b;
    // Reads land in one buffer per connection: no allocation per read.
    const readBuffer = Buffer.allocUnsafe(READ_BUFFER_SIZE);
    handle.useUserBuffer(readBuffer);
    handle.onread = () => {
      const nread = state[kReadBytesOrError]!;
      if (nread > 0) {
        handlers.data(readBuffer.subarray(0, nread), true);
      } else if (nread === UV_EOF) {
        handle.readStop();
        handlers.end();
      } else if (nread < 0) {
        // A read error (reset): the client is gone.
        socket.destroy();
      }
    };
    const io = this;
    this.onWriteDone = function (this: WriteRequest, status: number) {
      io.inFlight -= this.bytes;
      this.buffer = null;
      if (status < 0) {
        socket.destroy();
        return;
      }
      if (io.inFlight === 0) handlers.drain();
    };
    const err = handle.readStart();
    if (err < 0) socket.destroy();
  }

  write(bytes: Buffer): boolean {
    if (this.socket.destroyed) return false;
    let req = this.spare;
    if (req === null) {
      req = new this.b.WriteWrap();
      req.handle = this.handle;
      req.oncomplete = this.onWriteDone;
      req.async = false;
      req.bytes = 0;
      req.buffer = null;
    }
    const err = this.handle.writeBuffer(req, bytes);
    if (err < 0) {
      this.spare = req;
      this.socket.destroy();
      return true;
    }
    if (this.b.streamBaseState[this.b.kLastWriteWasAsync]) {
      // The kernel did not take everything: the request (and the buffer) are in flight.
      req.async = true;
      req.bytes = bytes.length;
      req.buffer = bytes;
      this.inFlight += bytes.length;
      this.spare = null;
      return false;
    }
    this.spare = req;
    return true;
  }

  queuedBytes(): number {
    return this.inFlight;
  }

  pauseReading(): void {
    this.handle.readStop();
  }

  resumeReading(): void {
    if (!this.socket.destroyed) this.handle.readStart();
  }
}
