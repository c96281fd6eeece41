/**
 * The cluster bus's connections (cluster.c's clusterLink): one TCP connection per
 * direction and node, carrying whole `clusterMsg` frames. A link knows nothing of the
 * cluster state: it delivers decoded messages and its closing to its handler, which
 * owns the node table (`N` is the node type the handler attaches links to).
 */
import net from 'node:net';
import { decodeMessage, FrameReader, type BusMessage } from './bus-message.js';

export interface LinkHandler<N> {
  /** A whole, well-formed message arrived. Returns false if the link was closed meanwhile. */
  onMessage(link: Link<N>, message: BusMessage, raw: Buffer): boolean;
  /** A message was dropped (malformed, or not of this protocol version). */
  onDropped(link: Link<N>, error: string, raw: Buffer | null): void;
  /** An outbound link connected: the first PING (or MEET) goes out now. */
  onConnected(link: Link<N>): void;
  /** The link is gone (I/O error, peer closed, or close()). Called once. */
  onClosed(link: Link<N>): void;
}

export class Link<N> {
  /** createClusterLink's ctime (ms). */
  readonly ctime = Date.now();
  private readonly reader = new FrameReader();
  closed = false;
  /** Bytes handed to the socket and not yet written (CLUSTER LINKS send-buffer-used). */
  get sendBufferUsed(): number {
    return this.socket.writableLength;
  }

  private constructor(
    readonly socket: net.Socket,
    /** For an outbound link, the node it connects to; an inbound one learns it later. */
    public node: N | null,
    readonly inbound: boolean,
    private readonly handler: LinkHandler<N>,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (data: Buffer) => this.receive(data));
    socket.on('error', () => this.close());
    socket.on('close', () => this.close());
  }

  /** An accepted connection (clusterAcceptHandler). */
  static accepted<N>(socket: net.Socket, handler: LinkHandler<N>): Link<N> {
    return new Link(socket, null, true, handler);
  }

  /** A connection to `node` at host:port (clusterNodeCronHandleReconnect). */
  static connect<N>(node: N, host: string, port: number, handler: LinkHandler<N>, timeoutMs: number): Link<N> {
    const socket = net.connect({ host, port });
    const link = new Link(socket, node, false, handler);
    const timer = setTimeout(() => link.close(), Math.max(timeoutMs, 1000));
    timer.unref();
    socket.once('connect', () => {
      clearTimeout(timer);
      if (!link.closed) handler.onConnected(link);
    });
    return link;
  }

  get remoteAddress(): string {
    return normalizeIp(this.socket.remoteAddress ?? '');
  }

  /** connSockName: our own address on this connection (how MEET teaches us our ip). */
  get localAddress(): string {
    return normalizeIp(this.socket.localAddress ?? '');
  }

  send(frame: Buffer): void {
    if (!this.closed) this.socket.write(frame);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.destroy();
    this.handler.onClosed(this);
  }

  private receive(data: Buffer): void {
    if (this.closed) return;
    const { frames, error } = this.reader.push(data);
    for (const raw of frames) {
      const decoded = decodeMessage(raw);
      if (!decoded.ok) {
        this.handler.onDropped(this, decoded.error, raw);
        continue;
      }
      if (!this.handler.onMessage(this, decoded.message, raw) || this.closed) return;
    }
    if (error !== null) {
      this.handler.onDropped(this, error, null);
      this.close();
    }
  }
}

/** "::ffff:1.2.3.4" (an IPv4 peer on a dual-stack socket) is 1.2.3.4. */
export function normalizeIp(ip: string): string {
  return ip.startsWith('::ffff:') && ip.includes('.') ? ip.slice(7) : ip;
}

/** The bus listener on cluster-port (default port + 10000). */
export function listenBus(host: string, port: number, onSocket: (socket: net.Socket) => void): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer((socket) => onSocket(socket));
    srv.once('error', reject);
    srv.listen({ host, port }, () => {
      srv.off('error', reject);
      srv.on('error', () => {});
      resolve(srv);
    });
  });
}
