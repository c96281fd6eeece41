/**
 * MULTI, EXEC, DISCARD, WATCH, UNWATCH (Redis 7.0 multi.c semantics).
 */
import { ErrorReply, NULL_ARRAY, OK, type Reply } from '../protocol/reply.js';
import { call, resolveCommand } from '../server/dispatch.js';
import type { Handler } from './registry.js';

const multi: Handler = (client) => {
  if (client.multi) return new ErrorReply('ERR MULTI calls can not be nested');
  client.multi = { queue: [], aborted: false };
  return OK;
};

const discard: Handler = (client) => {
  if (!client.multi) return new ErrorReply('ERR DISCARD without MULTI');
  client.server.discardTransaction(client);
  return OK;
};

const exec: Handler = (client) => {
  const server = client.server;
  const state = client.multi;
  if (!state) return new ErrorReply('ERR EXEC without MULTI');
  if (server.watches.anyExpired(client)) client.dirtyCas = true;
  if (state.aborted) {
    server.discardTransaction(client);
    return new ErrorReply('EXECABORT Transaction discarded because of previous errors.');
  }
  if (client.dirtyCas) {
    server.discardTransaction(client);
    return NULL_ARRAY;
  }
  server.discardTransaction(client);
  const replies: Reply[] = [];
  const denyBlocking = client.denyBlocking;
  client.denyBlocking = true;
  try {
    for (const { args } of state.queue) {
      server.clock.now = Date.now();
      const entry = resolveCommand(args);
      replies.push(entry instanceof ErrorReply ? entry : call(client, entry, args));
    }
  } finally {
    client.denyBlocking = denyBlocking;
  }
  return replies;
};

const watch: Handler = (client, args) => {
  if (client.multi) return new ErrorReply('ERR WATCH inside MULTI is not allowed');
  // A client whose WATCH already failed need not watch more keys.
  if (client.dirtyCas) return OK;
  for (let i = 1; i < args.length; i++) client.server.watches.watch(client, client.db, args[i]);
  return OK;
};

const unwatch: Handler = (client) => {
  client.server.watches.unwatchAll(client);
  return OK;
};

export const transactionCommands: Record<string, Handler> = { multi, exec, discard, watch, unwatch };
