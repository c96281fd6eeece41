/**
 * lunakv as a library: `startServer()` runs a server in this process.
 *
 *   import { startServer } from 'lunakv';
 *   const s = await startServer({ port: 0 });   // a free port
 *   ... connect to s.url ...
 *   await s.close();
 */
import type net from 'node:net';
import { installScripting } from './commands/script-runner.js';
import { registerAllCommands } from './commands/index.js';
import { Server } from './server/server.js';
import { listen, listenUnix } from './server/network.js';
import { PersistenceManager } from './persistence/manager.js';
import { ReplicationState, startConfiguredReplication } from './replication/state.js';
import { ClusterState } from './cluster/state.js';

export interface StartOptions {
  /** TCP port; 0 (the default) picks a free one. */
  port?: number;
  /** Address to listen on (default 127.0.0.1). */
  host?: string;
  /** Any Redis config parameter by its name: { requirepass: 'x', 'maxmemory': '10mb' }. */
  config?: Record<string, string | number>;
  /** Log to stdout as redis-server does (default: quiet). */
  log?: boolean;
}

export interface RunningServer {
  host: string;
  port: number;
  /** redis://host:port */
  url: string;
  /** The server object itself, for advanced embedding and tests. */
  server: Server;
  close(): Promise<void>;
}

/** Creates a server with the given configuration (config errors throw). */
export function createServer(config: Record<string, string | number> = {}): Server {
  registerAllCommands();
  const server = new Server();
  installScripting(server);
  for (const [name, value] of Object.entries(config)) server.config.setInitial(name, String(value));
  if ('databases' in config) server.createDatabases();
  for (const [name] of Object.entries(config)) server.applyConfig(name.toLowerCase(), server.config.get(name.toLowerCase()));
  return server;
}

export async function startServer(options: StartOptions = {}): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const server = createServer({ ...(options.config ?? {}), port: options.port ?? 0 });
  server.log.silent = !options.log;
  // Loads dump.rdb / the AOF when `dir` or `appendonly` is configured (else in memory).
  PersistenceManager.of(server).start();
  const tcp = await listen(server, options.port ?? 0, host);
  const unixPath = server.config.get('unixsocket');
  if (unixPath !== '') {
    const unix = await listenUnix(server, unixPath);
    tcp.once('close', () => unix.close());
  }
  server.activeExpire.start();
  if (server.config.getBool('cluster-enabled')) {
    try {
      await ClusterState.start(server);
    } catch (e) {
      tcp.close();
      throw e;
    }
  }
  startConfiguredReplication(server, PersistenceManager.of(server).loadedReplicationInfo);
  return runningServer(server, tcp, host);
}

export function runningServer(server: Server, tcp: net.Server, host: string): RunningServer {
  return {
    host,
    port: server.port,
    url: `redis://${host}:${server.port}`,
    server,
    close: () => closeServer(server, tcp),
  };
}

async function closeServer(server: Server, tcp: net.Server): Promise<void> {
  server.shuttingDown = true;
  server.activeExpire.stop();
  if (server.replication instanceof ReplicationState) server.replication.stop();
  ClusterState.of(server)?.stop();
  for (const c of server.clients.values()) c.sink?.close(false);
  await new Promise<void>((resolve) => tcp.close(() => resolve()));
}

export { Server } from './server/server.js';
