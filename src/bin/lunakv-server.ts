#!/usr/bin/env node
/**
 * lunakv-server [config-file] [--option value ...], like redis-server.
 */
import { installScripting } from '../commands/script-runner.js';
import { registerAllCommands } from '../commands/index.js';
import { Config } from '../server/config.js';
import { applyConfigText, argvToConfigText, FatalConfigError } from '../server/config-file.js';
import { listen, listenUnix } from '../server/network.js';
import { Server } from '../server/server.js';
import { PersistenceManager } from '../persistence/manager.js';
import { startConfiguredReplication } from '../replication/state.js';
import { ClusterState } from '../cluster/state.js';

const VERSION = '0.1.0';

/** The start-up banner; tools and Redis's test harness read " PID: <pid>" from it. */
function startupBanner(port: number, mode: string): string {
  const rows = [
    `lunakv ${VERSION} (Redis 7.0.15 compatible) 64 bit`,
    `Running in ${mode} mode`,
    `Port: ${port}`,
    `PID: ${process.pid}`,
  ];
  const width = Math.max(...rows.map((r) => r.length)) + 4;
  const rule = ` +${'-'.repeat(width)}+`;
  return ['', rule, ...rows.map((r) => ` |  ${r.padEnd(width - 2)}|`), rule, '', ''].join('\n');
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv[0] === '-v' || argv[0] === '--version') {
    console.log(`lunakv server v=${VERSION} redis_version=7.0.15 node=${process.version}`);
    return;
  }
  registerAllCommands();
  const server = new Server();
  installScripting(server);
  let configFile: string | null = null;
  try {
    // The embedded default is quiet and ephemeral; the program listens on loopback.
    server.config.setInitial('bind', '127.0.0.1');
    // The program persists by default (./data, AOF everysec, RDB on shutdown);
    // `--appendonly no --save ''` turns it off.
    server.config.setInitial('dir', './data');
    server.config.setInitial('appendonly', 'yes');
    const { file, text } = argvToConfigText(argv);
    configFile = file;
    applyConfigText(server.config, text);
  } catch (e) {
    if (e instanceof FatalConfigError) {
      process.stderr.write(e.message + '\n');
      process.exit(1);
    }
    throw e;
  }
  server.configFile = configFile;
  server.createDatabases();
  for (const [name, value] of server.config.changed()) server.applyConfig(name, value);
  try {
    PersistenceManager.of(server).start();
  } catch (e) {
    server.log.warning(`Fatal error loading the DB: ${(e as Error).message}. Exiting.`);
    process.exit(1);
  }
  const port = server.config.getInt('port');
  const host = server.config.get('bind').split(/\s+/).find((a) => !a.startsWith('-')) ?? '127.0.0.1';
  const listenHost = host === '*' ? '0.0.0.0' : host;
  let tcp;
  try {
    tcp = await listen(server, port, listenHost);
  } catch (e) {
    server.log.warning(`Warning: Could not create server TCP listening socket ${host}:${port}: ${(e as Error).message}`);
    process.exit(1);
  }
  const unixPath = server.config.get('unixsocket');
  let unix: import('node:net').Server | null = null;
  if (unixPath !== '') {
    try {
      unix = await listenUnix(server, unixPath);
    } catch (e) {
      server.log.warning(`Failed opening Unix socket: ${(e as Error).message}`);
      process.exit(1);
    }
  }
  server.activeExpire.start();
  const mode = server.config.getBool('cluster-enabled') ? 'cluster' : 'standalone';
  if (mode === 'cluster') {
    try {
      await ClusterState.start(server);
    } catch (e) {
      server.log.warning((e as Error).message);
      process.exit(1);
    }
  }
  server.log.notice(`lunakv ${VERSION} (Redis 7.0.15 compatible), pid=${process.pid}, just started`);
  server.log.notice(configFile ? `Configuration loaded from ${configFile}` : 'No config file specified, using the default config.');
  // redisAsciiArt: the banner when asked for or on a terminal, else one line.
  if (server.config.getBool('always-show-logo') || (server.config.get('logfile') === '' && process.stdout.isTTY)) {
    server.log.raw(startupBanner(server.port, mode));
  } else {
    server.log.notice(`Running mode=${mode}, port=${server.port}.`);
  }
  server.log.notice('Ready to accept connections tcp');
  startConfiguredReplication(server, PersistenceManager.of(server).loadedReplicationInfo);
  const shutdown = (signal: string) => {
    server.log.warning(`Received ${signal} scheduling shutdown...`);
    server.log.warning('User requested shutdown...');
    void server.shutdown().then(() => {
      server.log.warning('lunakv is now ready to exit, bye bye...');
      process.exit(0);
    });
  };
  server.onShutdown = () => {
    tcp.close();
    unix?.close();
    setImmediate(() => process.exit(0));
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));

}

void main();
