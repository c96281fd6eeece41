/** Listening sockets. */
import fs from 'node:fs';
import net from 'node:net';
import { Connection } from './connection.js';
import type { Server } from './server.js';

function accept(server: Server, socket: net.Socket, unixPath: string | null): void {
  if (server.shuttingDown) {
    socket.destroy();
    return;
  }
  if (server.clients.size >= server.config.getInt('maxclients')) {
    server.stats.rejectedConnections++;
    // Redis writes the error and closes the connection.
    socket.end('-ERR max number of clients reached\r\n', () => socket.destroy());
    return;
  }
  new Connection(server, socket, unixPath);
}

/** The `unixsocket` listener (Redis's unix domain socket), with `unixsocketperm`. */
export function listenUnix(server: Server, file: string): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    try {
      fs.rmSync(file, { force: true });
    } catch {
      // a stale socket that cannot be removed makes listen fail below
    }
    const unix = net.createServer({ pauseOnConnect: true, allowHalfOpen: true }, (socket) => accept(server, socket, file));
    unix.once('error', reject);
    unix.listen({ path: file, backlog: server.config.getInt('tcp-backlog') }, () => {
      unix.off('error', reject);
      const perm = server.config.getInt('unixsocketperm');
      if (perm !== 0) fs.chmodSync(file, perm);
      resolve(unix);
    });
  });
}

export function listen(server: Server, port: number, host: string): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    // Paused: the connection's socket I/O starts reading (see socket-io.ts).
    const tcp = net.createServer({ pauseOnConnect: true, allowHalfOpen: true }, (socket) => accept(server, socket, null));
    tcp.once('error', reject);
    tcp.listen({ port, host, backlog: server.config.getInt('tcp-backlog') }, () => {
      tcp.off('error', reject);
      const addr = tcp.address() as net.AddressInfo;
      server.port = addr.port;
      server.host = host;
      server.listener = tcp;
      resolve(tcp);
    });
  });
}
