/** Listening sockets. */
import net from 'node:net';
import { Connection } from './connection.js';
import type { Server } from './server.js';

export function listen(server: Server, port: number, host: string): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    // Paused: the connection's socket I/O starts reading (see socket-io.ts).
    const tcp = net.createServer({ pauseOnConnect: true, allowHalfOpen: true }, (socket) => {
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
      new Connection(server, socket);
    });
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
