/**
 * Command dispatch, following Redis 7.0's processCommand: lookup, arity, auth, MULTI
 * queueing, OOM, pub/sub context, busy scripts, then call() with stats.
 */
import { CmdFlag } from '../commands/spec.js';
import { lookupCommand, lookupSubcommand, type CommandEntry } from '../commands/registry.js';
import { ErrorReply, NO_REPLY, QUEUED, type Reply, Errors } from '../protocol/reply.js';
import { arityError, sanitizedError as sanitized, unknownCommandError, unknownSubcommandError } from '../protocol/reply-texts.js';
import type { Client } from './client.js';
import type { Server } from './server.js';
import { performEvictions } from './eviction.js';
import { aclStore, AclDenial, checkPermission, denialMessage } from './acl.js';

const NOAUTH = new ErrorReply('NOAUTH Authentication required.');
const LOADING_ERROR = new ErrorReply('LOADING Redis is loading the dataset in memory');
const NOT_IN_MULTI = new ErrorReply('ERR Command not allowed inside a transaction');
const READONLY = new ErrorReply("READONLY You can't write against a read only replica.");
const REPLICA_KEYSPACE = new ErrorReply("ERR Replica can't interact with the keyspace");
const NOREPLICAS = new ErrorReply('NOREPLICAS Not enough good replicas to write.');
const MASTERDOWN = new ErrorReply("MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.");

/** Commands that run at once inside MULTI instead of being queued. */
const MULTI_IMMEDIATE = new Set(['exec', 'discard', 'multi', 'watch', 'quit', 'reset']);
/** Commands allowed in RESP2 subscribed mode. */
const PUBSUB_ALLOWED = new Set(['ping', 'subscribe', 'ssubscribe', 'unsubscribe', 'sunsubscribe', 'psubscribe', 'punsubscribe', 'quit', 'reset']);
/** Commands not rejected on OOM while in MULTI. */
const MULTI_OOM_EXEMPT = new Set(['exec', 'discard', 'quit', 'reset']);

/** Deferred: the command cannot run now (script in progress, CLIENT PAUSE); retry later. */
export const DEFERRED = Symbol('deferred');

export { unknownCommandError };

/** checkGoodReplicasStatus: min-replicas-to-write is off, or enough good replicas are attached. */
export function enoughGoodReplicas(server: Server): boolean {
  return server.replication.enoughGoodReplicas();
}

/** A read-only replica refuses writes (its master's stream is what changes it). */
export function replicaRefusesWrites(server: Server): boolean {
  return server.replication.master !== null && server.config.getBool('replica-read-only');
}

/** A replica cut off from its master that serves only STALE commands (replica-serve-stale-data no). */
export function staleReplica(server: Server): boolean {
  const replication = server.replication;
  return replication.master !== null && !replication.linkUp && !server.config.getBool('replica-serve-stale-data');
}

/** Resolves argv to a command entry, or the error Redis replies. */
export function resolveCommand(args: string[]): CommandEntry | ErrorReply {
  let entry = lookupCommand(args[0]);
  if (!entry) return unknownCommandError(args);
  if (entry.subcommands && args.length > 1) {
    const sub = lookupSubcommand(entry, args[1]);
    if (!sub) return unknownSubcommandError(args);
    entry = sub;
  }
  const arity = entry.spec.arity;
  if ((arity > 0 && args.length !== arity) || args.length < -arity) return arityError(entry.spec.fullName);
  return entry;
}

/**
 * Processes one command from a client and sends its reply. Returns DEFERRED when the
 * command must wait and be submitted again later (nothing was done).
 */
export function processCommand(client: Client, args: string[]): typeof DEFERRED | void {
  const server = client.server;
  // server.clock.now was set when this batch of input started, then after each command.
  const resolved = resolveCommand(args);
  if (resolved instanceof ErrorReply) return reject(client, null, resolved);
  const entry = resolved;
  const name = entry.spec.fullName;
  const top = entry.spec.container ?? entry.spec.name;

  if ((entry.flags & CmdFlag.PROTECTED) && top === 'debug' && server.config.get('enable-debug-command') === 'no') {
    return reject(
      client,
      entry,
      new ErrorReply(
        'ERR DEBUG command not allowed. If the enable-debug-command option is set to "local", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.',
      ),
    );
  }

  // EVAL/FCALL read the script's flags (registerDynamicFlags).
  const flags = entry.dynamicFlags !== undefined ? entry.dynamicFlags(client, args) : entry.flags;

  if (!client.authenticated && !(entry.flags & CmdFlag.NO_AUTH)) return reject(client, entry, NOAUTH);
  if (client.multi && entry.flags & CmdFlag.NO_MULTI) return reject(client, entry, NOT_IN_MULTI);
  const user = client.user ?? aclStore(server).defaultUser;
  if (!user.unrestricted) {
    const denial = checkPermission(user, entry.spec, args);
    if (denial !== AclDenial.OK) return reject(client, entry, new ErrorReply(denialMessage(denial, entry.spec)));
  }

  // processCommand: cluster redirection, except for the master's stream and the AOF.
  const cluster = server.cluster;
  if (cluster !== null && !client.mustObey) {
    const redirect = cluster.route(client, entry, args, flags);
    // ASKING lasts for one command, or up to EXEC when it preceded MULTI (resetClient).
    if (client.clusterAsking && top !== 'asking' && !staysInMulti(client, top)) client.clusterAsking = false;
    if (redirect !== null) return rejectRedirect(client, entry, redirect);
  }

  // A replica loading its master's payload: LOADING for what may not run meanwhile.
  const loading = server.replication.loading;
  if (loading !== 0 && (loading === 1 ? !(entry.flags & CmdFlag.LOADING) : entry.flags & CmdFlag.NO_ASYNC_LOADING)) {
    return reject(client, entry, LOADING_ERROR);
  }

  const script = server.scriptState;
  // Nobody observes a half-run script: until it times out, other commands wait.
  if (script.running && !script.timedOut && script.client !== client) return DEFERRED;
  // The master's stream waits for a busy script to end (processInputBuffer skips the master
  // client meanwhile): a BUSY error would drop the command from this replica's dataset.
  if (script.running && client.isMaster) return DEFERRED;

  if (server.maxmemory > 0 && !script.timedOut) {
    // processCommand: evict first (every command), refuse memory-growing ones if that failed.
    const outOfMemory = !performEvictions(server);
    let rejectOnOom = (flags & CmdFlag.DENYOOM) !== 0 || (top === 'exec' && client.multi !== null && multiHasFlag(client, CmdFlag.DENYOOM));
    if (client.multi && !MULTI_OOM_EXEMPT.has(top)) rejectOnOom = true;
    if (rejectOnOom && outOfMemory) return reject(client, entry, Errors.oom);
  }

  const isWrite = (flags & CmdFlag.WRITE) !== 0 || (top === 'exec' && client.multi !== null && multiHasFlag(client, CmdFlag.WRITE));
  // The master's stream and the AOF are obeyed whatever this server's role says.
  const obey = client.mustObey;
  if (isWrite && !obey && !enoughGoodReplicas(server)) return reject(client, entry, NOREPLICAS);
  if (isWrite && !obey && replicaRefusesWrites(server)) return reject(client, entry, READONLY);

  if (client.protocol === 2 && client.inPubSub && !PUBSUB_ALLOWED.has(top)) {
    return reject(
      client,
      entry,
      sanitized(
        `ERR Can't execute '${name}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context`,
      ),
    );
  }

  if (!obey && staleReplica(server)) {
    const denyStale = !(flags & CmdFlag.STALE) || (top === 'exec' && client.multi !== null && multiLacksFlag(client, CmdFlag.STALE));
    if (denyStale) return reject(client, entry, MASTERDOWN);
  }

  if (script.timedOut && !(entry.flags & CmdFlag.ALLOW_BUSY)) {
    return reject(
      client,
      entry,
      new ErrorReply(
        script.isEval
          ? 'BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.'
          : 'BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.',
      ),
    );
  }

  // A replica's link carries REPLCONF and the like, never keyspace access (processCommand).
  if (client.isReplica) {
    const keyspace = CmdFlag.WRITE | CmdFlag.READONLY | CmdFlag.MAY_REPLICATE;
    if (flags & keyspace || (top === 'exec' && client.multi !== null && multiHasFlag(client, keyspace))) {
      client.lastCommand = entry.spec.fullName; // Redis's lastcmd is set at lookup: the log names it
      return reject(client, entry, REPLICA_KEYSPACE);
    }
  }

  const pause = server.pause;
  if (pause && pause.until > server.clock.now) {
    if (!pause.writesOnly || flags & (CmdFlag.WRITE | CmdFlag.MAY_REPLICATE)) return DEFERRED;
  }

  if (client.multi && !MULTI_IMMEDIATE.has(top)) {
    client.multi.queue.push({ args, flags });
    client.reply(QUEUED);
    return;
  }

  if (server.monitors.size !== 0 && !(entry.flags & (CmdFlag.SKIP_MONITOR | CmdFlag.ADMIN))) server.feedMonitors(client, args);
  const reply = call(client, entry, args);
  if (reply !== NO_REPLY) client.reply(reply);
  if (client.replyMode !== 'on') client.commandProcessed();
  // Clients blocked on keys this command (or its EXEC / script) made ready are served now,
  // but not in the middle of a timed-out script (commands allowed while BUSY get here).
  if (!server.scriptState.running) server.afterCommand?.();
}

function multiLacksFlag(client: Client, flag: number): boolean {
  for (const q of client.multi!.queue) if (!(q.flags & flag)) return true;
  return false;
}

function multiHasFlag(client: Client, flag: number): boolean {
  for (const q of client.multi!.queue) if (q.flags & flag) return true;
  return false;
}

/** After this command the client is still (or now) in MULTI. */
function staysInMulti(client: Client, top: string): boolean {
  return top === 'multi' || (client.multi !== null && top !== 'exec' && top !== 'discard');
}

/** A cluster redirection: EXEC discards the transaction, a queued command flags it. */
function rejectRedirect(client: Client, entry: CommandEntry, error: ErrorReply): void {
  const server = client.server;
  server.stats.command(entry.spec.fullName).rejectedCalls++;
  server.stats.error(error.code);
  if (client.multi) {
    if (entry.spec.fullName === 'exec') server.discardTransaction(client);
    else client.multi.aborted = true;
  }
  client.reply(error);
}

function reject(client: Client, entry: CommandEntry | null, error: ErrorReply): void {
  const server = client.server;
  if (entry) server.stats.command(entry.spec.fullName).rejectedCalls++;
  server.stats.error(error.code);
  if (entry && entry.spec.fullName === 'exec' && client.multi) {
    // EXEC rejected: the transaction is discarded with EXECABORT (execCommandAbort).
    client.server.discardTransaction(client);
    const msg = error.message;
    client.reply(new ErrorReply(`EXECABORT Transaction discarded because of: ${msg}`));
    return;
  }
  if (client.multi) client.multi.aborted = true;
  client.reply(error);
}

/**
 * Runs a resolved command and records stats (Redis's call()). Used by processCommand,
 * EXEC and scripts (through commands/script-runner.ts).
 */
export function call(client: Client, entry: CommandEntry, args: string[]): Reply {
  const server = client.server;
  const stat = server.stats.command(entry.spec.fullName);
  // Millisecond clock: one Date.now() per command keeps the hot path cheap; slow
  // commands (what SLOWLOG is for) are still measured to the millisecond.
  const observer = (entry.flags & (CmdFlag.WRITE | CmdFlag.MAY_REPLICATE)) !== 0 ? server.commandObserver : null;
  const dirtyBefore = server.dirty;
  if (observer !== null) observer.beforeWrite(client, entry, args);
  const start = server.clock.now;
  let reply: Reply;
  // CLIENT LIST shows the running command as the client's last one (c->lastcmd is set first).
  client.lastCommand = entry.spec.fullName;
  // Nested calls (EXEC, scripts) accumulate their propagation until the top-level one ends.
  // NO-TOUCH is decided by the top-level command, as Redis checks server.current_client->cmd.
  if (server.callDepth === 0) server.clock.noTouch = client.noTouch && entry.spec.fullName !== 'touch';
  server.callDepth++;
  try {
    reply = entry.handler!(client, args);
  } catch (e) {
    // A bug must not take the server down or leave the client without a reply.
    server.log.warning(`Internal error in '${entry.spec.fullName}': ${(e as Error).stack ?? e}`);
    reply = new ErrorReply(`ERR internal error in '${entry.spec.fullName}' command`);
  }
  server.callDepth--;
  if (observer !== null) observer.afterWrite(client, entry, args, reply, dirtyBefore);
  if (server.callDepth === 0 && server.commandObserver !== null) server.commandObserver.afterCall?.(entry);
  const end = Date.now();
  const usec = (end - start) * 1000;
  // The next command of this batch starts now: one clock read per command.
  if (server.callDepth === 0 && !client.isScript) server.clock.now = end;
  stat.calls++;
  stat.usec += usec;
  server.stats.totalCommands++;
  if (reply instanceof ErrorReply) {
    stat.failedCalls++;
    if (!reply.statsCounted) server.stats.error(reply.code);
  }
  const slower = server.slowlogThresholdUs;
  if (slower >= 0 && usec >= slower && !(entry.flags & CmdFlag.SKIP_SLOWLOG)) server.slowlog.add(client, args, usec);
  return reply;
}
