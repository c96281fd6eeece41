/**
 * Clients blocked on keys (BLPOP, BLMOVE, BZPOPMIN, XREAD BLOCK, ...), as Redis 7.0's
 * blocked.c does it:
 *  - a blocking command that cannot be served now registers a BlockedState on its
 *    client and returns NO_REPLY; the connection stops reading that client's commands;
 *  - writes signal keys as ready; after the command (or its EXEC / script) completes,
 *    afterCommand() serves the clients blocked on the ready keys in FIFO order;
 *  - timeouts, CLIENT UNBLOCK and disconnection end the wait.
 * Blocking commands inside MULTI/EXEC or scripts never block (client.denyBlocking):
 * they reply as if they had timed out.
 */
import type { Database } from '../keyspace/database.js';
import { ErrorReply, Errors, NO_REPLY, type Reply } from '../protocol/reply.js';
import type { Client } from './client.js';
import type { Server } from './server.js';
import { Slot } from './slot.js';

/** What a blocked client waits for. */
export interface BlockedState {
  readonly db: Database;
  readonly keys: readonly string[];
  /**
   * Tries to serve the client from `key`, which was signalled ready. Returns the reply
   * when served (an ErrorReply also ends the wait), or undefined to keep waiting.
   */
  tryServe(key: string): Reply | undefined;
  /** Sent when the timeout passes or CLIENT UNBLOCK ... TIMEOUT (a function: made then, as WAIT's count). */
  readonly timeoutReply: Reply | (() => Reply);
  /** Absolute deadline (ms), 0 for none. */
  readonly deadline: number;
  timer: NodeJS.Timeout | null;
}

function replyOf(reply: Reply | (() => Reply)): Reply {
  return typeof reply === 'function' ? reply() : reply;
}

const UNBLOCKED_ERROR = new ErrorReply('UNBLOCKED client unblocked via CLIENT UNBLOCK');

/** getTimeoutFromObjectOrReply(UNIT_SECONDS): absolute deadline in ms (0 = forever). */
export function parseTimeout(server: Server, arg: string): number | ErrorReply {
  const lower = arg.toLowerCase();
  let seconds: number;
  if (/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/.test(lower) && arg.charCodeAt(0) > 32) seconds = Number(arg);
  else if (/^[+-]?(inf|infinity)$/.test(lower)) seconds = lower[0] === '-' ? -Infinity : Infinity;
  else return Errors.timeoutNotFloat;
  const ms = Math.ceil(seconds * 1000);
  // (long long) of a value past the range is LLONG_MIN on x86: a negative timeout.
  if (ms < 0 || !Number.isFinite(ms) || ms > 9.2e18) return Errors.timeoutNegative;
  if (ms === 0) return 0;
  return Date.now() + ms;
}

function slot(db: Database, key: string): string {
  return `${db.id}\0${key}`;
}

export class BlockingManager {
  /** "dbid\0key" -> clients waiting on it, oldest first. */
  private readonly waiting = new Map<string, Client[]>();
  /** Keys signalled ready since the last afterCommand (deduplicated). */
  private ready = new Map<string, { db: Database; key: string }>();
  private serving = false;
  blockedClients = 0;

  constructor(private readonly server: Server) {}

  /** The server's blocking machinery, hooked into the server on first use. */
  static readonly slot = new Slot('blocking', (server: Server) => {
    const manager = new BlockingManager(server);
    server.keyReadyHandler = {
      keyReady: (db, key) => manager.keyReady(db, key),
      blockedKeys: (db) => manager.blockedKeys(db),
    };
    server.afterCommand = () => manager.serveReadyKeys();
    server.onClientRemoved = (client) => manager.clientRemoved(client);
    return manager;
  });

  static of(server: Server): BlockingManager {
    return server.slot(BlockingManager.slot);
  }

  /** Parks `client` until one of the state's keys can serve it. */
  block(client: Client, state: BlockedState): void {
    client.blocked = state;
    this.blockedClients++;
    for (const key of state.keys) {
      const s = slot(state.db, key);
      let queue = this.waiting.get(s);
      if (!queue) this.waiting.set(s, (queue = []));
      if (!queue.includes(client)) queue.push(client);
    }
    if (state.deadline > 0) {
      const wait = Math.max(0, state.deadline - Date.now());
      state.timer = setTimeout(() => this.timedOut(client), wait);
    }
  }

  keyReady(db: Database, key: string): void {
    if (this.blockedClients === 0) return;
    const s = slot(db, key);
    if (this.waiting.has(s) && !this.ready.has(s)) this.ready.set(s, { db, key });
  }

  *blockedKeys(db: Database): Iterable<string> {
    const prefix = `${db.id}\0`;
    for (const s of this.waiting.keys()) if (s.startsWith(prefix)) yield s.slice(prefix.length);
  }

  /** handleClientsBlockedOnKeys: serves waiting clients until no ready key remains. */
  serveReadyKeys(): void {
    if (this.ready.size === 0 || this.serving) return;
    this.serving = true;
    try {
      while (this.ready.size !== 0) {
        const batch = this.ready;
        this.ready = new Map();
        for (const [s, { db, key }] of batch) {
          const queue = this.waiting.get(s);
          if (!queue) continue;
          for (const client of queue.slice()) {
            const state = client.blocked as BlockedState | null;
            if (!state || state.db !== db) continue;
            this.server.clock.now = Date.now();
            const observer = this.server.commandObserver;
            if (observer !== null) observer.beforeBlockedServe(client, db);
            // Like a call(): what serving propagates (XREADGROUP's XCLAIMs, a pop) goes out
            // together at the end, in MULTI ... EXEC when it is more than one command.
            this.server.callDepth++;
            let reply: Reply | undefined;
            try {
              reply = state.tryServe(key);
              if (reply !== undefined && observer !== null && !(reply instanceof ErrorReply)) observer.afterBlockedServe(client, db, reply);
            } finally {
              this.server.callDepth--;
            }
            observer?.afterCall?.(null);
            if (reply === undefined) continue;
            this.unblock(client, reply);
          }
        }
      }
    } finally {
      this.serving = false;
    }
  }

  /** Ends a client's wait with `reply` and lets it run its next commands. */
  unblock(client: Client, reply: Reply): void {
    const state = client.blocked as BlockedState | null;
    if (!state) return;
    this.forget(client, state);
    // The command was counted when it blocked; an error ending the wait makes it a failed
    // call and counts in errorstats (updateStatsOnUnblock).
    if (reply instanceof ErrorReply && client.lastCommand !== 'NULL') {
      this.server.stats.command(client.lastCommand).failedCalls++;
      if (!reply.statsCounted) this.server.stats.error(reply.code);
    }
    client.reply(reply);
    // Like Redis's unblocked_clients list: the client's pending input runs later, not
    // in the middle of the command that served it.
    setImmediate(() => {
      if (!client.closed && client.blocked === null) client.onResume();
    });
  }

  /**
   * disconnectAllBlockedClients: the server became a replica, so a wait on its keys can no
   * longer be served as the client meant it: an error, then the connection closes.
   */
  disconnectAllBlocked(): void {
    const error = new ErrorReply('UNBLOCKED force unblock from blocking operation, instance state changed (master -> replica?)');
    for (const client of this.server.clients.values()) {
      const state = client.blocked as BlockedState | null;
      if (!state || typeof state !== 'object' || !('tryServe' in state)) continue;
      this.unblock(client, error);
      client.closeAfterReply = true;
    }
  }

  /** CLIENT UNBLOCK: true when the client was blocked. */
  unblockByRequest(client: Client, asError: boolean): boolean {
    const state = client.blocked as BlockedState | null;
    if (!state || !('tryServe' in state)) return false;
    this.unblock(client, asError ? UNBLOCKED_ERROR : replyOf(state.timeoutReply));
    return true;
  }

  clientRemoved(client: Client): void {
    const state = client.blocked as BlockedState | null;
    if (state && 'tryServe' in state) this.forget(client, state);
  }

  private timedOut(client: Client): void {
    const state = client.blocked as BlockedState | null;
    if (!state) return;
    state.timer = null;
    this.unblock(client, replyOf(state.timeoutReply));
  }

  private forget(client: Client, state: BlockedState): void {
    client.blocked = null;
    this.blockedClients--;
    if (state.timer) clearTimeout(state.timer);
    state.timer = null;
    for (const key of state.keys) {
      const s = slot(state.db, key);
      const queue = this.waiting.get(s);
      if (!queue) continue;
      const i = queue.indexOf(client);
      if (i >= 0) queue.splice(i, 1);
      if (queue.length === 0) this.waiting.delete(s);
    }
  }
}

/**
 * Blocks `client` (or, when it may not block, returns the timeout reply at once).
 * Handlers call this after finding nothing to serve.
 */
export function blockOrTimeout(
  client: Client,
  keys: readonly string[],
  deadline: number,
  timeoutReply: Reply | (() => Reply),
  tryServe: (key: string) => Reply | undefined,
  /** The reply when blocking is not allowed, if it differs (BLMOVE: null, not a null array). */
  deniedReply: Reply = replyOf(timeoutReply),
): Reply {
  if (client.denyBlocking) return deniedReply;
  BlockingManager.of(client.server).block(client, { db: client.db, keys, deadline, timeoutReply, tryServe, timer: null });
  return NO_REPLY;
}

/** CLIENT UNBLOCK <id> [TIMEOUT|ERROR] */
export function clientUnblock(client: Client, args: string[]): Reply {
  let asError = false;
  if (args.length === 4) {
    const reason = args[3].toLowerCase();
    if (reason === 'error') asError = true;
    else if (reason !== 'timeout') return new ErrorReply('ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR');
  } else if (args.length !== 3) return Errors.syntax;
  if (!/^-?\d+$/.test(args[2]) || args[2].length > 20) return Errors.notInteger;
  const target = client.server.clients.get(Number(args[2]));
  if (!target || target.blocked === null) return 0;
  return BlockingManager.of(client.server).unblockByRequest(target, asError) ? 1 : 0;
}
