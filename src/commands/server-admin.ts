/**
 * Server commands: INFO, CONFIG, DBSIZE, FLUSHDB/FLUSHALL, DEBUG, SLOWLOG, TIME, SHUTDOWN, ...
 */
import { OK } from '../protocol/reply.js';
import type { Handler } from './registry.js';

const dbsize: Handler = (client) => client.db.size;

const flushdb: Handler = (client) => {
  client.db.flush();
  return OK;
};

const flushall: Handler = (client) => {
  for (const db of client.server.databases) db.flush();
  return OK;
};

export const serverCommands: Record<string, Handler> = { dbsize, flushdb, flushall };
