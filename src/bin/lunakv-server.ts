#!/usr/bin/env node
/**
 * lunakv-server [config-file] [--option value ...], like redis-server.
 */
import { installScripting } from '../commands/script-runner.js';
import { registerAllCommands } from '../commands/index.js';
import { Config } from '../server/config.js';
import { applyConfigText, argvToConfigText, FatalConfigError } from '../server/config-file.js';
import { listen } from '../server/network.js';
import { Server } from '../server/server.js';
import { PersistenceManager } from '../persistence/manager.js';

const VERSION = '0.1.0';

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
  server.activeExpire.start();
  server.log.notice(`lunakv ${VERSION} (Redis 7.0.15 compatible), pid=${process.pid}, just started`);
  server.log.notice(configFile ? `Configuration loaded from ${configFile}` : 'No config file specified, using the default config.');
  server.log.notice(`Running mode=standalone, port=${server.port}.`);
  server.log.notice('Ready to accept connections tcp');
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
    setImmediate(() => process.exit(0));
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));

}

void main();
