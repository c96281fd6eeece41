/**
 * Generic keyspace commands (DEL, EXISTS, EXPIRE family, KEYS, SCAN, RENAME, ...).
 */
import type { Handler } from './registry.js';

const del: Handler = (client, args) => {
  let n = 0;
  for (let i = 1; i < args.length; i++) if (client.db.delete(args[i])) n++;
  return n;
};

const exists: Handler = (client, args) => {
  let n = 0;
  for (let i = 1; i < args.length; i++) if (client.db.lookupRead(args[i]) !== undefined) n++;
  return n;
};

export const keyspaceCommands: Record<string, Handler> = { del, unlink: del, exists };
